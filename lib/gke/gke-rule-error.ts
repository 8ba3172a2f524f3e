import { ConfigError } from '../tfserving/errors';

/**
 * Who is being validated, for the error messages of the GKE rules.
 */
export interface RuleContext {
  /**
   * Class name of the construct or Pulumi component that owns the values, e.g. `GpuNodePool`.
   */
  readonly construct: string;

  /**
   * The construct id (cdk8s) or resource name (Pulumi), e.g. `l4`.
   */
  readonly id: string;

  /**
   * The caller's names for the values the rules check, where they differ from the defaults.
   *
   * @default - the defaults documented on `PropNames`
   */
  readonly propNames?: PropNames;
}

/**
 * Names of the props a GKE rule reports, so that messages use the caller's own prop names
 * (`{ gpus: 'resources.gpu' }` makes a message say `'resources.gpu' (2) must ...`).
 */
export interface PropNames {
  /** @default 'accelerator' */
  readonly accelerator?: string;
  /** @default 'gpuCount' */
  readonly gpuCount?: string;
  /** @default 'gpus' */
  readonly gpus?: string;
  /** @default 'cpu' */
  readonly cpu?: string;
  /** @default 'memory' */
  readonly memory?: string;
  /** @default 'gpuPartitionSize' */
  readonly gpuPartitionSize?: string;
  /** @default 'minNodes' */
  readonly minNodes?: string;
  /** @default 'maxNodes' */
  readonly maxNodes?: string;
  /** @default 'maxSharedClientsPerGpu' */
  readonly maxSharedClientsPerGpu?: string;
}

/**
 * A GKE rule that a value breaks.
 *
 * The message reads `<Construct> '<id>': '<prop>' (<value>) must <rule>. Fix: <fix>` (the project's format, see
 * `ConfigError`). The fields let the
 * Pulumi layer collect several violations into one `pulumi.InputPropertiesError`
 * (`{ propertyPath: prop, reason }`).
 */
export class GkeRuleError extends ConfigError {
  /** Class name of the construct or component, e.g. `GpuNodePool`. */
  public readonly construct: string;

  /** Construct id or resource name. */
  public readonly id: string;

  /** The prop that breaks the rule, e.g. `gpuCount`. */
  public readonly prop: string;

  /** The message without the `<Construct> '<id>': ` prefix. */
  public readonly reason: string;

  /**
   * @param ctx who is being validated
   * @param prop the prop that breaks the rule
   * @param value the value as shown in the message
   * @param rule what the value must be, completing "must ..." (no trailing period)
   * @param fix how to fix it, one or more sentences
   */
  constructor(ctx: RuleContext, prop: string, value: string | number, rule: string, fix: string) {
    const reason = `'${prop}' (${value}) must ${rule}. Fix: ${fix}`;
    super(`${ctx.construct} '${ctx.id}': ${reason}`);
    this.name = 'GkeRuleError';
    this.construct = ctx.construct;
    this.id = ctx.id;
    this.prop = prop;
    this.reason = reason;
  }
}
