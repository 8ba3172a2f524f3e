import { ConfigError } from '../../lib/core';
import { Accelerator, MachineType } from '../../lib/gke';

describe('MachineType', () => {
  describe('catalog', () => {
    test.each([
      // name, vCPUs, memory GiB, GPU count (all nvidia-l4)
      ['g2-standard-4', 4, 16, 1],
      ['g2-standard-8', 8, 32, 1],
      ['g2-standard-12', 12, 48, 1],
      ['g2-standard-16', 16, 64, 1],
      ['g2-standard-24', 24, 96, 2],
      ['g2-standard-32', 32, 128, 1],
      ['g2-standard-48', 48, 192, 4],
      ['g2-standard-96', 96, 384, 8],
    ])('%s: %i vCPUs, %i GiB, %i × L4', (name, vcpu, memoryGiB, count) => {
      const m = MachineType.of(name);
      expect([m.vcpu, m.memoryGiB]).toEqual([vcpu, memoryGiB]);
      expect(m.gpus).toEqual({ accelerator: Accelerator.NVIDIA_L4, count });
    });

    test.each([
      ['a2-highgpu-1g', 12, 85, Accelerator.NVIDIA_A100_40GB, 1],
      ['a2-highgpu-2g', 24, 170, Accelerator.NVIDIA_A100_40GB, 2],
      ['a2-highgpu-4g', 48, 340, Accelerator.NVIDIA_A100_40GB, 4],
      ['a2-highgpu-8g', 96, 680, Accelerator.NVIDIA_A100_40GB, 8],
      ['a2-megagpu-16g', 96, 1360, Accelerator.NVIDIA_A100_40GB, 16],
      ['a2-ultragpu-1g', 12, 170, Accelerator.NVIDIA_A100_80GB, 1],
      ['a2-ultragpu-2g', 24, 340, Accelerator.NVIDIA_A100_80GB, 2],
      ['a2-ultragpu-4g', 48, 680, Accelerator.NVIDIA_A100_80GB, 4],
      ['a2-ultragpu-8g', 96, 1360, Accelerator.NVIDIA_A100_80GB, 8],
      ['a3-highgpu-1g', 26, 234, Accelerator.NVIDIA_H100_80GB, 1],
      ['a3-highgpu-2g', 52, 468, Accelerator.NVIDIA_H100_80GB, 2],
      ['a3-highgpu-4g', 104, 936, Accelerator.NVIDIA_H100_80GB, 4],
      ['a3-highgpu-8g', 208, 1872, Accelerator.NVIDIA_H100_80GB, 8],
      ['a3-megagpu-8g', 208, 1872, Accelerator.NVIDIA_H100_MEGA_80GB, 8],
      ['a3-ultragpu-8g', 224, 2952, Accelerator.NVIDIA_H200_141GB, 8],
    ])('%s: %i vCPUs, %i GiB, %s × %i', (name, vcpu, memoryGiB, accelerator, count) => {
      const m = MachineType.of(name);
      expect([m.vcpu, m.memoryGiB]).toEqual([vcpu, memoryGiB]);
      expect(m.gpus?.accelerator).toBe(accelerator);
      expect(m.gpus?.count).toBe(count);
    });

    test.each([
      ['n1-standard-1', 1, 3.75], ['n1-standard-8', 8, 30], ['n1-standard-96', 96, 360],
      ['n1-highmem-2', 2, 13], ['n1-highmem-96', 96, 624],
      ['n1-highcpu-2', 2, 1.8], ['n1-highcpu-16', 16, 14.4], ['n1-highcpu-64', 64, 57.6],
      ['e2-standard-2', 2, 8], ['e2-standard-32', 32, 128],
      ['n2-standard-2', 2, 8], ['n2-standard-128', 128, 512],
      ['n2d-standard-224', 224, 896],
      ['c3-standard-4', 4, 16], ['c3-standard-22', 22, 88], ['c3-standard-176', 176, 704],
    ])('%s: %d vCPUs, %d GiB, no built-in GPU', (name, vcpu, memoryGiB) => {
      const m = MachineType.of(name);
      expect([m.vcpu, m.memoryGiB]).toEqual([vcpu, memoryGiB]);
      expect(m.gpus).toBeUndefined();
    });

    test('holds 77 machine types with unique names', () => {
      const names = MachineType.all().map(m => m.name);
      expect(names).toHaveLength(77);
      expect(new Set(names).size).toBe(77);
      expect(names).toEqual(expect.arrayContaining(['n1-standard-4', 'n1-highmem-64', 'n1-highcpu-32', 'e2-standard-16', 'n2-standard-80']));
    });
  });

  describe('gpuConfigurations', () => {
    test('an accelerator-optimized machine type has exactly its built-in GPUs', () => {
      expect(MachineType.of('a2-ultragpu-2g').gpuConfigurations).toEqual([{ accelerator: Accelerator.NVIDIA_A100_80GB, count: 2 }]);
    });

    test('N1 takes T4, V100, P100 and P4 in the counts and with the limits Compute Engine allows', () => {
      const configurations = MachineType.of('n1-standard-8').gpuConfigurations
        .map(c => [c.accelerator.type, c.count, c.maxVcpu, c.maxMemoryGiB]);
      expect(configurations).toEqual([
        ['nvidia-tesla-t4', 1, 48, 312], ['nvidia-tesla-t4', 2, 48, 312], ['nvidia-tesla-t4', 4, 96, 624],
        ['nvidia-tesla-v100', 1, 12, 78], ['nvidia-tesla-v100', 2, 24, 156], ['nvidia-tesla-v100', 4, 48, 312], ['nvidia-tesla-v100', 8, 96, 624],
        ['nvidia-tesla-p100', 1, 16, 104], ['nvidia-tesla-p100', 2, 32, 208], ['nvidia-tesla-p100', 4, 64, 208],
        ['nvidia-tesla-p4', 1, 24, 156], ['nvidia-tesla-p4', 2, 48, 312], ['nvidia-tesla-p4', 4, 96, 624],
      ]);
      expect(MachineType.of('n1-highcpu-4').supportedAccelerators).toEqual([
        Accelerator.NVIDIA_T4, Accelerator.NVIDIA_TESLA_V100, Accelerator.NVIDIA_TESLA_P100, Accelerator.NVIDIA_TESLA_P4,
      ]);
    });

    test('a general-purpose machine type other than N1 takes no GPUs', () => {
      expect(MachineType.of('e2-standard-8').gpuConfigurations).toEqual([]);
      expect(MachineType.of('n2-standard-8').supportedAccelerators).toEqual([]);
    });
  });

  describe('parseFamily / parseSeries', () => {
    test.each([
      ['g2-standard-8', 'g2-standard', 'g2'],
      ['a2-ultragpu-1g', 'a2-ultragpu', 'a2'],
      ['a3-ultragpu-8g-nolssd', 'a3-ultragpu', 'a3'],
      ['c3-standard-4-lssd', 'c3-standard', 'c3'],
      ['n2d-standard-224', 'n2d-standard', 'n2d'],
      ['n2-custom-8-16384', 'n2-custom', 'n2'],
      ['custom-8-30720', 'n1-custom', 'n1'],
      ['n1-custom-8-30720-ext', 'n1-custom', 'n1'],
      ['e2-micro', 'e2-micro', 'e2'],
    ])('%s → family %s, series %s', (name, family, series) => {
      expect(MachineType.parseFamily(name)).toBe(family);
      expect(MachineType.parseSeries(name)).toBe(series);
    });

    test('a catalog entry exposes its family and series', () => {
      const m = MachineType.of('a3-megagpu-8g');
      expect([m.family, m.series]).toEqual(['a3-megagpu', 'a3']);
    });
  });

  describe('familiesFor', () => {
    test.each([
      [Accelerator.NVIDIA_L4, ['g2-standard']],
      [Accelerator.NVIDIA_A100_40GB, ['a2-highgpu', 'a2-megagpu']],
      [Accelerator.NVIDIA_A100_80GB, ['a2-ultragpu']],
      [Accelerator.NVIDIA_H100_80GB, ['a3-highgpu', 'a3-edgegpu']],
      [Accelerator.NVIDIA_H100_MEGA_80GB, ['a3-megagpu']],
      [Accelerator.NVIDIA_H200_141GB, ['a3-ultragpu']],
      [Accelerator.NVIDIA_TESLA_P4, ['n1-standard', 'n1-highmem', 'n1-highcpu', 'n1-custom']],
      [Accelerator.of('nvidia-b200'), []],
    ])('%s → %p', (accelerator, families) => {
      expect(MachineType.familiesFor(accelerator)).toEqual(families);
    });
  });

  describe('of() and find()', () => {
    test('of(name) returns the same catalog instance every time', () => {
      expect(MachineType.of('g2-standard-8')).toBe(MachineType.of('g2-standard-8'));
      expect(MachineType.find('g2-standard-8')).toBe(MachineType.of('g2-standard-8'));
      expect(`${MachineType.of('g2-standard-8')}`).toBe('g2-standard-8');
    });

    test('find() returns undefined for a name outside the catalog', () => {
      expect(MachineType.find('n4-standard-8')).toBeUndefined();
    });

    test('a custom machine type name is parsed into vCPUs and memory', () => {
      const m = MachineType.of('n1-custom-6-23040');
      expect([m.vcpu, m.memoryGiB, m.family, m.series]).toEqual([6, 22.5, 'n1-custom', 'n1']);
      expect(m.supportedAccelerators).toContain(Accelerator.NVIDIA_T4);
      expect(MachineType.of('n2-custom-4-8192').supportedAccelerators).toEqual([]);
    });

    test.each([
      ['n1-custom-8-638976-ext', 624],
      ['n2-custom-128-884736-ext', 864],
      ['n2d-custom-16-786432-ext', 768],
    ])('extended memory up to the series\' total per VM is accepted: %s (%d GB)', (name, gib) => {
      expect(MachineType.of(name).memoryGiB).toBe(gib);
    });

    test('of(name, shape) describes a machine type outside the catalog', () => {
      const m = MachineType.of('n4-standard-8', { vcpu: 8, memoryGiB: 32 });
      expect([m.name, m.family, m.series, m.vcpu, m.memoryGiB]).toEqual(['n4-standard-8', 'n4-standard', 'n4', 8, 32]);
      expect(m.gpus).toBeUndefined();
    });

    test('of(name, shape) takes the GPUs of an accelerator-optimized family from the name', () => {
      // GIVEN an A3 Edge machine type, which is not in the catalog
      const m = MachineType.of('a3-edgegpu-8g', { vcpu: 208, memoryGiB: 1872 });

      // THEN its family's accelerator and the count in its name are its GPUs
      expect(m.gpus).toEqual({ accelerator: Accelerator.NVIDIA_H100_80GB, count: 8 });
    });

    test('of(name, shape) for a catalog name replaces vCPUs and memory and keeps the GPUs', () => {
      const m = MachineType.of('g2-standard-8', { vcpu: 8, memoryGiB: 54 });
      expect(m.memoryGiB).toBe(54);
      expect(m.gpus).toEqual({ accelerator: Accelerator.NVIDIA_L4, count: 1 });
      expect(MachineType.of('g2-standard-8').memoryGiB).toBe(32);
    });

    test('of(name, shape) with GPUs describes a new accelerator-optimized machine type', () => {
      const b200 = Accelerator.of('nvidia-b200');
      const m = MachineType.of('a4-highgpu-8g', { vcpu: 224, memoryGiB: 3968, gpus: { accelerator: b200, count: 8 } });
      expect(m.supportedAccelerators).toEqual([b200]);
      expect(m.gpuConfigurations).toEqual([{ accelerator: b200, count: 8 }]);
    });

    test('throws a ConfigError for a name that is not a machine type name', () => {
      expect(() => MachineType.of('G2 Standard 8')).toThrow(ConfigError);
      expect(() => MachineType.of('G2 Standard 8')).toThrow(new Error(
        "MachineType.of: 'name' (\"G2 Standard 8\") must be a Compute Engine machine type name: lower-case letters, digits and '-'. "
        + "Fix: use the name from `gcloud compute machine-types list`, e.g. 'g2-standard-8'"));
    });

    test('a typo gets a ConfigError with a did-you-mean (issue 12 item 8)', () => {
      expect(() => MachineType.of('g2-standrd-8')).toThrow(ConfigError);
      expect(() => MachineType.of('g2-standrd-8')).toThrow(new Error(
        "MachineType.of: 'name' (\"g2-standrd-8\") must be a machine type in the catalog or a custom machine type name ([SERIES-]custom-VCPUS-MEMORY_MIB). "
        + "Fix: did you mean 'g2-standard-8'? Use MachineType.of('g2-standard-8'); if 'g2-standrd-8' is right, describe it: "
        + "MachineType.of('g2-standrd-8', { vcpu: ..., memoryGiB: ... })"));
    });

    test('a name far from every catalog entry gets no suggestion', () => {
      expect(() => MachineType.of('z9-huge-1')).toThrow(new Error(
        "MachineType.of: 'name' (\"z9-huge-1\") must be a machine type in the catalog or a custom machine type name ([SERIES-]custom-VCPUS-MEMORY_MIB). "
        + "Fix: describe it: MachineType.of('z9-huge-1', { vcpu: ..., memoryGiB: ... })"));
    });

    test('throws for a non-positive vCPU count', () => {
      expect(() => MachineType.of('n4-standard-8', { vcpu: 0, memoryGiB: 32 })).toThrow(new Error(
        "MachineType.of: 'vcpu' (0) must be a positive number. Fix: use the machine type's vCPU count"));
    });

    test('throws for non-positive memory', () => {
      expect(() => MachineType.of('n4-standard-8', { vcpu: 8, memoryGiB: -1 })).toThrow(new Error(
        "MachineType.of: 'memoryGiB' (-1) must be a positive number. Fix: use the machine type's memory in GiB"));
    });

    test('throws for a GPU count that is not a positive integer', () => {
      expect(() => MachineType.of('a4-highgpu-8g', { vcpu: 224, memoryGiB: 3968, gpus: { accelerator: Accelerator.of('nvidia-b200'), count: 0 } }))
        .toThrow(new Error("MachineType.of: 'gpus.count' (0) must be a positive integer. "
          + "Fix: use the number of GPUs the machine type comes with, or leave 'gpus' out"));
    });

    test('throws for an accelerator-optimized name whose GPU count cannot be derived', () => {
      expect(() => MachineType.of('g2-standard-64', { vcpu: 64, memoryGiB: 256 })).toThrow(new Error(
        "MachineType.of: 'gpus' (undefined) must be set for g2-standard-64, an accelerator-optimized machine type "
        + 'whose GPU count is not in its name. Fix: pass { vcpu, memoryGiB, gpus: { accelerator, count } }'));
    });
  });
});
