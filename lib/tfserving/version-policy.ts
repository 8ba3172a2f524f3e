/**
 * Which versions of a model TF Serving loads: `ServableVersionPolicy` in
 * tensorflow_serving/config/file_system_storage_path_source.proto.
 *
 * Version directories are the numeric sub-directories of a model's base path.
 */
export class VersionPolicy {
  /**
   * Serve the latest `count` versions (the highest numbers). This is TF Serving's own default, with 1.
   *
   * @param count how many versions to serve; at least 1
   */
  public static latest(count: number = 1): VersionPolicy {
    return new VersionPolicy('latest', [count]);
  }

  /** Serve every version found under the base path. */
  public static all(): VersionPolicy {
    return new VersionPolicy('all', []);
  }

  /**
   * Serve exactly these versions; the usual choice for a canary served from one server
   * (e.g. `VersionPolicy.specific(1, 2)` with version labels `stable: 1`, `canary: 2`).
   */
  public static specific(...versions: number[]): VersionPolicy {
    return new VersionPolicy('specific', versions);
  }

  private constructor(
    /** `latest`, `all` or `specific`: the `policy_choice` oneof member. */
    public readonly kind: 'latest' | 'all' | 'specific',
    private readonly numbers: number[],
  ) {}

  /** For `latest(n)`: n. */
  public get numVersions(): number | undefined {
    return this.kind === 'latest' ? this.numbers[0] : undefined;
  }

  /** For `specific(...)`: the versions, a copy. */
  public get versions(): number[] | undefined {
    return this.kind === 'specific' ? [...this.numbers] : undefined;
  }

  /**
   * Whether this policy is known to load `version`. `undefined` when it cannot be known at synth
   * time (`latest` and `all` depend on what is in storage).
   */
  public loads(version: number): boolean | undefined {
    return this.kind === 'specific' ? this.numbers.includes(version) : undefined;
  }

  /** Human-readable form, as written in code: `VersionPolicy.latest(2)`. */
  public toString(): string {
    return `VersionPolicy.${this.kind}(${this.numbers.join(', ')})`;
  }
}
