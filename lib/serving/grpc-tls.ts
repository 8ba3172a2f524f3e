import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { fail } from '../core/errors';
import { checkObjectName } from '../core/kubernetes';
import { addCheckedPatch } from '../private/checked-patch';

/** Where the init container writes the SSLConfig text proto (an in-memory emptyDir; the server mounts it read-only). */
export const GRPC_TLS_DIR = '/etc/tfserving-tls';
/** The `--ssl_config_file` the server reads. */
export const GRPC_TLS_CONFIG_FILE = `${GRPC_TLS_DIR}/ssl_config.pbtxt`;
/** Where the init container reads the `kubernetes.io/tls` Secret. */
const SECRET_DIR = '/var/run/tfserving-tls-secret';

/**
 * The init container's script: the Secret's `tls.key` and `tls.crt` as an `SSLConfig` text proto
 * (tensorflow_serving/config/ssl_config.proto: `server_key`, `server_cert`, inline PEM).
 *
 * Each PEM line becomes one quoted string ending in `\n`; the text-format parser concatenates adjacent string
 * literals (protobuf text_format.cc `ParserImpl::ConsumeString`: it appends every adjacent TYPE_STRING token), so a
 * field's value is the whole PEM. Backslashes and double quotes are escaped, carriage returns dropped. An empty or
 * missing file stops the init container: the server would otherwise CHECK-fail on the parse (server.cc
 * `BuildServerCredentials`: `CHECK_OK(ParseProtoTextFile<SSLConfig>(...))`).
 */
export function sslConfigScript(secretDir: string = SECRET_DIR, outFile: string = GRPC_TLS_CONFIG_FILE): string {
  return [
    'set -eu',
    `for f in ${secretDir}/tls.key ${secretDir}/tls.crt; do [ -s "$f" ] || { echo "$f is missing or empty: the Secret must be of type kubernetes.io/tls" >&2; exit 1; }; done`,
    'pem() { sed -e \'s/\\r$//\' -e \'s/\\\\/\\\\\\\\/g\' -e \'s/"/\\\\"/g\' -e \'s/^/"/\' -e \'s/$/\\\\n"/\' "$1"; }',
    `{ echo 'server_key:'; pem ${secretDir}/tls.key; echo 'server_cert:'; pem ${secretDir}/tls.crt; } > ${outFile}`,
  ].join('\n');
}

/**
 * TLS on TF Serving's gRPC port (`--ssl_config_file`): the port (and a `--grpc_socket_path` socket, server.cc applies
 * the same credentials) then accepts TLS only, for every caller. The REST port stays plaintext.
 *
 * The certificate and key come from a `kubernetes.io/tls` Secret in the server's namespace (e.g. one cert-manager
 * issues). The key cannot be written into a ConfigMap at synthesis: an init container (the server's own image,
 * which has /bin/sh and sed) turns the Secret into the `SSLConfig` text proto in an in-memory emptyDir that the
 * server reads once at start. A renewed Secret takes effect when the pods restart.
 *
 * What it is for: HTTP/2 with TLS to the pods is the only HTTP/2 a GKE Gateway's load balancer speaks to a
 * backend (Service `appProtocol: HTTP2`; GKE implements no `kubernetes.io/h2c`), and it does not validate the
 * backend's certificate, so a self-signed one works: `GatewayCanary` with `grpcHost` needs it on both servers.
 * No client certificate is requested (SSLConfig `client_verify` stays false).
 *
 * @see https://cloud.google.com/load-balancing/docs/backend-authenticated-tls-backend-mtls
 */
export class GrpcTls {
  /** The certificate and key of the `kubernetes.io/tls` Secret named `secretName` (keys `tls.crt`, `tls.key`). */
  public static fromSecret(secretName: string): GrpcTls {
    checkObjectName('GrpcTls.fromSecret', 'secretName', secretName);
    return new GrpcTls(secretName);
  }

  private constructor(
    /** The Secret's name. */
    public readonly secretName: string,
  ) {}

  /**
   * Adds the Secret and config volumes, the init container and the server's mount.
   *
   * @internal
   */
  public _bind(server: {
    scope: Construct; deployment: kplus.Deployment; container: kplus.Container; image: string; user: number; group: number;
  }): void {
    const { scope, deployment } = server;
    const secret = kplus.Volume.fromSecret(scope, 'GrpcTlsSecretVolume', kplus.Secret.fromSecretName(scope, 'GrpcTlsSecret', this.secretName), {
      name: 'grpc-tls-secret',
      // owner and group read only: the init container reads it through the pod's fsGroup (the server's group).
      defaultMode: 0o440,
    });
    // Memory: the private key never touches the node's disk.
    const config = kplus.Volume.fromEmptyDir(scope, 'GrpcTlsConfigVolume', 'grpc-tls', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) });
    const index = deployment.initContainers.length;
    deployment.addInitContainer({
      name: 'grpc-tls-config',
      image: server.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/bin/sh', '-c', sslConfigScript()],
      volumeMounts: [{ path: SECRET_DIR, volume: secret, readOnly: true }, { path: GRPC_TLS_DIR, volume: config }],
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) },
      },
      securityContext: {
        ensureNonRoot: true, user: server.user, group: server.group, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
      },
    });
    const patches = ApiObject.of(deployment);
    addCheckedPatch(patches, `/spec/template/spec/initContainers/${index}/securityContext/capabilities`, { drop: ['ALL'] });
    addCheckedPatch(patches, `/spec/template/spec/initContainers/${index}/securityContext/seccompProfile`, { type: 'RuntimeDefault' });
    server.container.mount(GRPC_TLS_DIR, config, { readOnly: true });
  }
}

/**
 * TLS on the gRPC port has one home, `grpcTls`: other constructs (load tests, canaries, Gateways) read it to speak
 * to the port. `--ssl_config_file` or `--use_alts_credentials` in extraArgs would make the port TLS-only (server.cc
 * `BuildServerCredentials`) behind their back. With `grpcTls`, `--use_alts_credentials` would silently replace it:
 * `BuildServerCredentials` checks ALTS first and then ignores the SSL config (`--ssl_config_file` is refused as a
 * repeated flag).
 */
export function checkGrpcTlsExtraArgs(subject: string, extraArgs: Record<string, string> | undefined, grpcTls: boolean): void {
  for (const flag of ['ssl_config_file', 'use_alts_credentials']) {
    const value = extraArgs?.[flag];
    if (value === undefined) continue;
    if (grpcTls) {
      if (flag === 'ssl_config_file') continue;
      fail(subject, `extraArgs.${flag}`, value,
        'not be set with grpcTls: TF Serving checks ALTS first and then ignores the TLS config (server.cc BuildServerCredentials), '
        + 'so the load balancer\'s TLS connection to the gRPC port fails', 'remove it');
    }
    fail(subject, `extraArgs.${flag}`, value,
      'not be set: it makes the gRPC port TLS-only (server.cc BuildServerCredentials) without the constructs that call the port knowing',
      'remove it and set grpcTls: GrpcTls.fromSecret(\'<kubernetes.io/tls Secret>\')');
  }
}
