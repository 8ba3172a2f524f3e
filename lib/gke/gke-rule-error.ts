import { ConfigError } from '../core/errors';
import { RuleContext } from '../core/rule-context';

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
    super(`${ctx.construct} '${ctx.id}': ${reason}`, { subject: `${ctx.construct} '${ctx.id}'`, prop, value: String(value), rule, fix });
    this.name = 'GkeRuleError';
    this.construct = ctx.construct;
    this.id = ctx.id;
    this.prop = prop;
    this.reason = reason;
  }
}
