import { ConfigError } from '../../lib/core';
import { Accelerator } from '../../lib/gke';

describe('Accelerator', () => {
  test.each([
    ['NVIDIA_T4', Accelerator.NVIDIA_T4, 'nvidia-tesla-t4', 16],
    ['NVIDIA_L4', Accelerator.NVIDIA_L4, 'nvidia-l4', 24],
    ['NVIDIA_A100_40GB', Accelerator.NVIDIA_A100_40GB, 'nvidia-tesla-a100', 40],
    ['NVIDIA_A100_80GB', Accelerator.NVIDIA_A100_80GB, 'nvidia-a100-80gb', 80],
    ['NVIDIA_H100_80GB', Accelerator.NVIDIA_H100_80GB, 'nvidia-h100-80gb', 80],
    ['NVIDIA_H100_MEGA_80GB', Accelerator.NVIDIA_H100_MEGA_80GB, 'nvidia-h100-mega-80gb', 80],
    ['NVIDIA_H200_141GB', Accelerator.NVIDIA_H200_141GB, 'nvidia-h200-141gb', 141],
    ['NVIDIA_TESLA_V100', Accelerator.NVIDIA_TESLA_V100, 'nvidia-tesla-v100', 16],
    ['NVIDIA_TESLA_P100', Accelerator.NVIDIA_TESLA_P100, 'nvidia-tesla-p100', 16],
    ['NVIDIA_TESLA_P4', Accelerator.NVIDIA_TESLA_P4, 'nvidia-tesla-p4', 8],
  ])('%s has GKE accelerator type and GPU memory', (_name, accelerator, type, memoryGB) => {
    expect(accelerator.type).toBe(type);
    expect(accelerator.memoryGB).toBe(memoryGB);
    expect(accelerator.toString()).toBe(type);
  });

  test.each([
    [Accelerator.NVIDIA_A100_40GB, ['1g.5gb', '2g.10gb', '3g.20gb', '7g.40gb']],
    [Accelerator.NVIDIA_A100_80GB, ['1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb']],
    [Accelerator.NVIDIA_H100_80GB, ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '7g.80gb']],
    [Accelerator.NVIDIA_H100_MEGA_80GB, ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '7g.80gb']],
    [Accelerator.NVIDIA_H200_141GB, ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']],
  ])('%s supports multi-instance GPU partitions', (accelerator, sizes) => {
    expect(accelerator.migPartitionSizes).toEqual(sizes);
    expect(accelerator.supportsMig).toBe(true);
  });

  test.each([
    Accelerator.NVIDIA_T4, Accelerator.NVIDIA_L4, Accelerator.NVIDIA_TESLA_V100, Accelerator.NVIDIA_TESLA_P100, Accelerator.NVIDIA_TESLA_P4,
  ])('%s has no multi-instance GPU partitions', (accelerator) => {
    expect(accelerator.migPartitionSizes).toEqual([]);
    expect(accelerator.supportsMig).toBe(false);
  });

  test('all() lists the ten catalog accelerators with unique types', () => {
    const types = Accelerator.all().map(a => a.type);
    expect(types).toHaveLength(10);
    expect(new Set(types).size).toBe(10);
  });

  test('node label, partition label and resource name are the ones GKE uses', () => {
    expect(Accelerator.NODE_LABEL).toBe('cloud.google.com/gke-accelerator');
    expect(Accelerator.PARTITION_SIZE_NODE_LABEL).toBe('cloud.google.com/gke-gpu-partition-size');
    expect(Accelerator.RESOURCE_NAME).toBe('nvidia.com/gpu');
  });

  test('nodeSelector() selects nodes by the accelerator label', () => {
    expect(Accelerator.NVIDIA_L4.nodeSelector()).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
  });

  describe('of()', () => {
    test('returns the catalog constant for a known type', () => {
      expect(Accelerator.of('nvidia-l4')).toBe(Accelerator.NVIDIA_L4);
      expect(Accelerator.of('nvidia-tesla-a100')).toBe(Accelerator.NVIDIA_A100_40GB);
    });

    test('describes an unknown type with the facts passed', () => {
      // GIVEN an accelerator GKE supports but the catalog does not list
      const b200 = Accelerator.of('nvidia-b200', { displayName: 'NVIDIA B200', memoryGB: 180, migPartitionSizes: ['1g.23gb'] });

      // THEN it carries those facts
      expect(b200.type).toBe('nvidia-b200');
      expect(b200.displayName).toBe('NVIDIA B200');
      expect(b200.memoryGB).toBe(180);
      expect(b200.migPartitionSizes).toEqual(['1g.23gb']);
      expect(b200.nodeSelector()).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-b200' });
    });

    test('an unknown type without options has no MIG support and unknown memory', () => {
      const unknown = Accelerator.of('nvidia-rtx-pro-6000');
      expect(unknown.displayName).toBe('nvidia-rtx-pro-6000');
      expect(unknown.memoryGB).toBeUndefined();
      expect(unknown.supportsMig).toBe(false);
    });

    test('options on a known type replace only the facts passed', () => {
      const l4 = Accelerator.of('nvidia-l4', { migPartitionSizes: ['1g.6gb'] });
      expect(l4).not.toBe(Accelerator.NVIDIA_L4);
      expect(l4.equals(Accelerator.NVIDIA_L4)).toBe(true);
      expect(l4.memoryGB).toBe(24);
      expect(l4.displayName).toBe('NVIDIA L4');
      expect(l4.migPartitionSizes).toEqual(['1g.6gb']);
    });

    test('throws when the type is not a label value', () => {
      expect(() => Accelerator.of('NVIDIA L4')).toThrow(ConfigError);
      expect(() => Accelerator.of('NVIDIA L4')).toThrow(new Error(
        "Accelerator.of: 'type' (\"NVIDIA L4\") must be a GKE accelerator type: lower-case letters, digits, '-' and '.', at most 63 characters. "
        + "Fix: use the value GKE writes into the cloud.google.com/gke-accelerator node label, e.g. 'nvidia-l4'"));
    });
  });
});
