import { GkeRuleError, validateNodeCountRange } from '../../lib/gke';

describe('GkeRuleError', () => {
  test('formats the message and exposes its parts', () => {
    const error = new GkeRuleError({ construct: 'GpuNodePool', id: 'l4' }, 'machineType', 'g2-standard-7',
      'be a G2 machine type', "use 'g2-standard-8'");

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GkeRuleError');
    expect(error.message).toBe("GpuNodePool 'l4': 'machineType' (\"g2-standard-7\") must be a G2 machine type. Fix: use 'g2-standard-8'");
    expect([error.construct, error.id, error.prop]).toEqual(['GpuNodePool', 'l4', 'machineType']);
    expect(error.reason).toBe("'machineType' (\"g2-standard-7\") must be a G2 machine type. Fix: use 'g2-standard-8'");
  });

  test('rules throw it with the prop that breaks the rule, for the Pulumi layer to collect', () => {
    // GIVEN a rule that fails
    let caught: unknown;
    try {
      validateNodeCountRange({ construct: 'GpuNodePool', id: 'pool' }, 3, 1);
    } catch (e) {
      caught = e;
    }

    // THEN the error names the prop and the reason separately
    expect(caught).toBeInstanceOf(GkeRuleError);
    expect((caught as GkeRuleError).prop).toBe('minNodes');
    expect((caught as GkeRuleError).reason).toBe("'minNodes' (3) must be at most 'maxNodes' (1). Fix: lower 'minNodes' or raise 'maxNodes'");
  });
});
