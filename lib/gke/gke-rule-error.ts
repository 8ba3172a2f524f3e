import { ConfigError, show } from '../core/errors';
import { RuleContext } from '../core/rule-context';

/**
 * A GKE rule that a value breaks.
 *
 * The message reads `<Construct> '<id>': '<prop>' (<value>) must <rule>. Fix: <fix>` (the project's format, see
 * `ConfigError` and `fail`: the value shown by `show`, the fix in lower case without a closing period). The fields
 * let the Pulumi layer collect several violations into one `pulumi.InputPropertiesError`
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
   * @param value the offending value (rendered by `show`: strings quoted)
   * @param rule what the value must be, completing "must ..." (no trailing period)
   * @param fix how to fix it, as `fail` takes it: lower case, no closing period
   */
  constructor(ctx: RuleContext, prop: string, value: string | number, rule: string, fix: string) {
    const reason = `'${prop}' (${show(value)}) must ${rule}. Fix: ${fix}`;
    super(`${ctx.construct} '${ctx.id}': ${reason}`, { subject: `${ctx.construct} '${ctx.id}'`, prop, value: show(value), rule, fix });
    this.name = 'GkeRuleError';
    this.construct = ctx.construct;
    this.id = ctx.id;
    this.prop = prop;
    this.reason = reason;
  }
}
