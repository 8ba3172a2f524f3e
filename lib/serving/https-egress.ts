/**
 * Where the server may open HTTPS (443) connections when egress is restricted: anywhere (object stores on the
 * internet), or only Google APIs through Private Google Access VIPs, for clusters without internet egress.
 * The narrowed ranges need DNS that resolves `*.googleapis.com` to them (a Cloud DNS private zone).
 *
 * @see https://cloud.google.com/vpc/docs/configure-private-google-access#config-domain
 */
export class HttpsEgress {
  /** Any address on 443 (GCS, S3-compatible stores, …). */
  public static readonly ANY = new HttpsEgress('any', []);
  /** `private.googleapis.com`: 199.36.153.8/30 (most Google APIs, including those outside VPC Service Controls). */
  public static readonly PRIVATE_GOOGLE_APIS = new HttpsEgress('private.googleapis.com', ['199.36.153.8/30']);
  /** `restricted.googleapis.com`: 199.36.153.4/30 (only APIs VPC Service Controls supports). */
  public static readonly RESTRICTED_GOOGLE_APIS = new HttpsEgress('restricted.googleapis.com', ['199.36.153.4/30']);

  private constructor(
    /** `any`, or the VIP's host name. */
    public readonly name: string,
    /** The address blocks; empty for any. */
    public readonly cidrs: string[],
  ) {}
}
