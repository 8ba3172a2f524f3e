import { Accelerator } from './accelerator';
import { fail } from '../core/errors';

/**
 * GPUs that come with a machine type, or that a node pool attaches to it.
 */
export interface MachineGpus {
  /** The GPU model. */
  readonly accelerator: Accelerator;
  /** Number of GPUs per machine. */
  readonly count: number;
}

/**
 * Shape of a machine type that is not in the catalog (`MachineType.of`).
 */
export interface MachineTypeShape {
  /** Number of vCPUs. */
  readonly vcpu: number;

  /**
   * Memory in GiB. Compute Engine's "GB" for machine memory is 2^30 bytes, so the figure
   * from the Compute Engine docs goes here unchanged (`n1-standard-1`: 3.75).
   */
  readonly memoryGiB: number;

  /**
   * GPUs built into the machine type (accelerator-optimized machine types only).
   *
   * @default - for a name in the catalog, the catalog's GPUs; for a name of an accelerator-optimized
   * family (`a3-edgegpu-8g`), the family's accelerator and the count in the name; otherwise none
   */
  readonly gpus?: MachineGpus;
}

/**
 * One GPU configuration that Compute Engine allows on a machine type.
 */
export interface GpuConfiguration {
  /** The GPU model. */
  readonly accelerator: Accelerator;

  /** Number of GPUs per machine. */
  readonly count: number;

  /**
   * Most vCPUs a machine can have with this configuration.
   *
   * @default - no limit beyond the machine type itself
   */
  readonly maxVcpu?: number;

  /**
   * Most memory, in GiB, a machine can have with this configuration.
   *
   * @default - no limit beyond the machine type itself
   */
  readonly maxMemoryGiB?: number;
}

// gcp machine type names: lower-case letters, digits and '-'.
const MACHINE_TYPE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// custom machine types: [SERIES-]custom-VCPUS-MEMORY_MIB[-ext]; without a series prefix they are N1.
// https://cloud.google.com/compute/docs/instances/creating-instance-with-custom-machine-type
const CUSTOM_MACHINE_TYPE = /^(?:([a-z0-9]+)-)?custom-(\d+)-(\d+)(?:-ext)?$/;
// the size segment of a predefined machine type: '8' in g2-standard-8, '8g' in a3-highgpu-8g.
const SIZE_SEGMENT = /^\d+g?$/;

/**
 * Accelerator-optimized machine families and the one GPU model each comes with.
 *
 * Source: https://cloud.google.com/compute/docs/accelerator-optimized-machines and
 * https://cloud.google.com/compute/docs/gpus ("For the A and G series accelerator-optimized
 * machine types, the specified GPU model automatically attaches to the instance").
 */
const BUILT_IN_GPU_FAMILIES: ReadonlyArray<readonly [string, Accelerator]> = [
  ['g2-standard', Accelerator.NVIDIA_L4],
  ['a2-highgpu', Accelerator.NVIDIA_A100_40GB],
  ['a2-megagpu', Accelerator.NVIDIA_A100_40GB],
  ['a2-ultragpu', Accelerator.NVIDIA_A100_80GB],
  ['a3-highgpu', Accelerator.NVIDIA_H100_80GB],
  ['a3-edgegpu', Accelerator.NVIDIA_H100_80GB],
  ['a3-megagpu', Accelerator.NVIDIA_H100_MEGA_80GB],
  ['a3-ultragpu', Accelerator.NVIDIA_H200_141GB],
];

/**
 * GPUs that can be attached to N1 machine types, the counts Compute Engine allows, and the
 * largest N1 machine (vCPUs, memory GB) each count can be attached to.
 *
 * Source: https://cloud.google.com/compute/docs/gpus (N1 general-purpose tables), cross-checked
 * against SkyPilot's `_NUM_ACC_TO_MAX_CPU_AND_MEMORY` (sky/clouds/service_catalog/gcp_catalog.py),
 * which cites the same page. P100 with 4 GPUs allows 96 vCPUs / 624 GB in most zones but only
 * 64 vCPUs / 208 GB in us-east1-c, europe-west1-b and europe-west1-d; we keep the limit that
 * holds everywhere.
 */
const N1_GPUS: ReadonlyArray<readonly [Accelerator, ReadonlyArray<readonly [count: number, maxVcpu: number, maxMemoryGiB: number]>]> = [
  [Accelerator.NVIDIA_T4, [[1, 48, 312], [2, 48, 312], [4, 96, 624]]],
  [Accelerator.NVIDIA_TESLA_V100, [[1, 12, 78], [2, 24, 156], [4, 48, 312], [8, 96, 624]]],
  [Accelerator.NVIDIA_TESLA_P100, [[1, 16, 104], [2, 32, 208], [4, 64, 208]]],
  [Accelerator.NVIDIA_TESLA_P4, [[1, 24, 156], [2, 48, 312], [4, 96, 624]]],
];

const N1_FAMILIES = ['n1-standard', 'n1-highmem', 'n1-highcpu', 'n1-custom'];

/**
 * A Compute Engine machine type: its vCPUs, memory, and the GPUs that come with it or can be attached.
 *
 * The catalog holds the machine types GPU and CPU node pools commonly use. `MachineType.of(name)`
 * returns a catalog entry (or parses a custom machine type name such as `n1-custom-8-30720`);
 * `MachineType.of(name, { vcpu, memoryGiB })` describes any other machine type.
 *
 * Sources, per series:
 * - G2, A2, A3: https://cloud.google.com/compute/docs/accelerator-optimized-machines and
 *   https://cloud.google.com/compute/docs/gpus (GPU count, vCPUs, default memory).
 * - N1, E2, N2, N2D, C3: https://cloud.google.com/compute/docs/general-purpose-machines and
 *   https://cloud.google.com/compute/docs/compute-optimized-machines.
 *
 * @example
 * const g2 = MachineType.of('g2-standard-8');                        // 8 vCPUs, 32 GiB, 1 × nvidia-l4
 * const big = MachineType.of('n4-standard-8', { vcpu: 8, memoryGiB: 32 });
 */
export class MachineType {
  /**
   * Every machine type in the catalog, in catalog order.
   */
  public static all(): MachineType[] {
    return [...MachineType.catalog().values()];
  }

  /**
   * The catalog entry for `name`, or the machine type a custom machine type name describes
   * (`n1-custom-8-30720`: 8 vCPUs, 30 GiB); `undefined` for any other name.
   *
   * @param name the Compute Engine machine type name
   */
  public static find(name: string): MachineType | undefined {
    const known = MachineType.catalog().get(name);
    if (known) {
      return known;
    }
    const custom = CUSTOM_MACHINE_TYPE.exec(name);
    if (custom) {
      return new MachineType(name, { vcpu: Number(custom[2]), memoryGiB: Number(custom[3]) / 1024 });
    }
    return undefined;
  }

  /**
   * A machine type by name.
   *
   * Without a shape, `name` must be in the catalog or be a custom machine type name
   * (`[SERIES-]custom-VCPUS-MEMORY_MIB[-ext]`). With a shape, the shape describes the machine; for
   * a catalog name it replaces the catalog's vCPUs and memory (G2 machine types accept custom memory)
   * and keeps the catalog's GPUs unless the shape names others.
   *
   * @param name the Compute Engine machine type name, e.g. `g2-standard-8`
   * @param shape vCPUs, memory and built-in GPUs of a machine type that is not in the catalog
   */
  public static of(name: string, shape?: MachineTypeShape): MachineType {
    const subject = 'MachineType.of';
    if (!MACHINE_TYPE_NAME.test(name)) {
      fail(subject, 'name', name, 'be a Compute Engine machine type name: lower-case letters, digits and \'-\'',
        'use the name from `gcloud compute machine-types list`, e.g. \'g2-standard-8\'');
    }
    const known = MachineType.find(name);
    if (shape === undefined) {
      if (!known) {
        const suggestion = closestName(name, [...MachineType.catalog().keys()]);
        fail(subject, 'name', name, 'be a machine type in the catalog or a custom machine type name ([SERIES-]custom-VCPUS-MEMORY_MIB)',
          `${suggestion ? `did you mean '${suggestion}'? Use MachineType.of('${suggestion}'); if '${name}' is right, describe it`
            : 'describe it'}: MachineType.of('${name}', { vcpu: ..., memoryGiB: ... })`);
      }
      if (!MachineType.catalog().has(name)) checkCustomMachineType(subject, name);
      return known;
    }
    if (!(Number.isFinite(shape.vcpu) && shape.vcpu > 0)) {
      fail(subject, 'vcpu', shape.vcpu, 'be a positive number', 'use the machine type\'s vCPU count');
    }
    if (!(Number.isFinite(shape.memoryGiB) && shape.memoryGiB > 0)) {
      fail(subject, 'memoryGiB', shape.memoryGiB, 'be a positive number', 'use the machine type\'s memory in GiB');
    }
    if (shape.gpus !== undefined && !(Number.isInteger(shape.gpus.count) && shape.gpus.count > 0)) {
      fail(subject, 'gpus.count', shape.gpus.count, 'be a positive integer', 'use the number of GPUs the machine type comes with, or leave \'gpus\' out');
    }
    const gpus = shape.gpus ?? known?.gpus ?? gpusFromName(name);
    if (gpus === undefined && builtInAccelerator(MachineType.parseFamily(name)) !== undefined) {
      fail(subject, 'gpus', undefined, `be set for ${name}, an accelerator-optimized machine type whose GPU count is not in its name`,
        'pass { vcpu, memoryGiB, gpus: { accelerator, count } }');
    }
    return new MachineType(name, { vcpu: shape.vcpu, memoryGiB: shape.memoryGiB, gpus });
  }

  /**
   * The machine family of a machine type name: the name without its size and variant suffixes.
   *
   * `g2-standard-8` → `g2-standard`, `a3-ultragpu-8g-nolssd` → `a3-ultragpu`, `c3-standard-4-lssd` →
   * `c3-standard`, `n2-custom-8-16384` → `n2-custom`, `custom-8-30720` → `n1-custom`. A name without a
   * size (`e2-micro`) is its own family.
   *
   * @param name a Compute Engine machine type name
   */
  public static parseFamily(name: string): string {
    const custom = CUSTOM_MACHINE_TYPE.exec(name);
    if (custom) {
      return `${custom[1] ?? 'n1'}-custom`;
    }
    const segments = name.split('-');
    const size = segments.findIndex((s, i) => i > 0 && SIZE_SEGMENT.test(s));
    return size === -1 ? name : segments.slice(0, size).join('-');
  }

  /**
   * The machine series of a machine type name: its first segment (`g2`, `a3`, `n1`). Custom machine
   * types without a series prefix (`custom-8-30720`) are N1.
   *
   * @param name a Compute Engine machine type name
   */
  public static parseSeries(name: string): string {
    return MachineType.parseFamily(name).split('-')[0];
  }

  /**
   * The machine families that take `accelerator`: the accelerator-optimized families it is built into,
   * or the N1 families it can be attached to. Empty for an accelerator this library does not know.
   *
   * @param accelerator the GPU model
   */
  public static familiesFor(accelerator: Accelerator): string[] {
    const builtIn = BUILT_IN_GPU_FAMILIES.filter(([, a]) => a.equals(accelerator)).map(([family]) => family);
    const n1 = N1_GPUS.some(([a]) => a.equals(accelerator)) ? N1_FAMILIES : [];
    return [...builtIn, ...n1];
  }

  private static catalogCache?: Map<string, MachineType>;

  private static catalog(): Map<string, MachineType> {
    if (MachineType.catalogCache) {
      return MachineType.catalogCache;
    }
    const rows: Row[] = [
      // g2: https://cloud.google.com/compute/docs/gpus ("NVIDIA L4 GPUs" table) and
      // https://cloud.google.com/compute/docs/accelerator-optimized-machines#g2-vms. g2-standard-32 has ONE L4;
      // the GPU count steps 1, 2, 4, 8 only at 24, 48 and 96 vCPUs.
      ...withGpus(Accelerator.NVIDIA_L4, [
        ['g2-standard-4', 4, 16, 1], ['g2-standard-8', 8, 32, 1], ['g2-standard-12', 12, 48, 1], ['g2-standard-16', 16, 64, 1],
        ['g2-standard-24', 24, 96, 2], ['g2-standard-32', 32, 128, 1], ['g2-standard-48', 48, 192, 4], ['g2-standard-96', 96, 384, 8],
      ]),
      // a2 standard (highgpu, megagpu) and a2 ultra: https://cloud.google.com/compute/docs/gpus ("NVIDIA A100 GPUs")
      // and https://cloud.google.com/compute/docs/accelerator-optimized-machines#a2-vms.
      ...withGpus(Accelerator.NVIDIA_A100_40GB, [
        ['a2-highgpu-1g', 12, 85, 1], ['a2-highgpu-2g', 24, 170, 2], ['a2-highgpu-4g', 48, 340, 4], ['a2-highgpu-8g', 96, 680, 8],
        ['a2-megagpu-16g', 96, 1360, 16],
      ]),
      ...withGpus(Accelerator.NVIDIA_A100_80GB, [
        ['a2-ultragpu-1g', 12, 170, 1], ['a2-ultragpu-2g', 24, 340, 2], ['a2-ultragpu-4g', 48, 680, 4], ['a2-ultragpu-8g', 96, 1360, 8],
      ]),
      // a3 high, mega, ultra: https://cloud.google.com/compute/docs/accelerator-optimized-machines#a3-vms.
      ...withGpus(Accelerator.NVIDIA_H100_80GB, [
        ['a3-highgpu-1g', 26, 234, 1], ['a3-highgpu-2g', 52, 468, 2], ['a3-highgpu-4g', 104, 936, 4], ['a3-highgpu-8g', 208, 1872, 8],
      ]),
      ...withGpus(Accelerator.NVIDIA_H100_MEGA_80GB, [['a3-megagpu-8g', 208, 1872, 8]]),
      ...withGpus(Accelerator.NVIDIA_H200_141GB, [['a3-ultragpu-8g', 224, 2952, 8]]),
      // n1: https://cloud.google.com/compute/docs/general-purpose-machines#n1_machines
      // (standard 3.75 GB, highmem 6.5 GB, highcpu 0.9 GB per vCPU).
      ...perVcpu('n1-standard', 3.75, [1, 2, 4, 8, 16, 32, 64, 96]),
      ...perVcpu('n1-highmem', 6.5, [2, 4, 8, 16, 32, 64, 96]),
      ...perVcpu('n1-highcpu', 0.9, [2, 4, 8, 16, 32, 64, 96]),
      // e2, n2, n2d standard (4 GB per vCPU): https://cloud.google.com/compute/docs/general-purpose-machines.
      ...perVcpu('e2-standard', 4, [2, 4, 8, 16, 32]),
      ...perVcpu('n2-standard', 4, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128]),
      ...perVcpu('n2d-standard', 4, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224]),
      // c3 standard (4 GB per vCPU): https://cloud.google.com/compute/docs/general-purpose-machines#c3_series.
      ...perVcpu('c3-standard', 4, [4, 8, 22, 44, 88, 176]),
    ];
    MachineType.catalogCache = new Map();
    for (const [name, vcpu, memoryGiB, gpus] of rows) {
      MachineType.catalogCache.set(name, new MachineType(name, { vcpu, memoryGiB, gpus }));
    }
    return MachineType.catalogCache;
  }

  /**
   * Machine type name, e.g. `g2-standard-8`.
   */
  public readonly name: string;

  /**
   * Machine series, e.g. `g2`.
   */
  public readonly series: string;

  /**
   * Machine family, e.g. `g2-standard`; see `MachineType.parseFamily`.
   */
  public readonly family: string;

  /**
   * Number of vCPUs.
   */
  public readonly vcpu: number;

  /**
   * Memory in GiB.
   */
  public readonly memoryGiB: number;

  /**
   * GPUs built into the machine type; `undefined` for machine types without built-in GPUs
   * (N1 machine types take attached GPUs instead, see `gpuConfigurations`).
   */
  public readonly gpus?: MachineGpus;

  private constructor(name: string, shape: MachineTypeShape) {
    this.name = name;
    this.family = MachineType.parseFamily(name);
    this.series = this.family.split('-')[0];
    this.vcpu = shape.vcpu;
    this.memoryGiB = shape.memoryGiB;
    this.gpus = shape.gpus;
  }

  /**
   * The GPU configurations Compute Engine allows on this machine type: the built-in GPUs of an
   * accelerator-optimized machine type, every attachable GPU and count (with its vCPU and memory
   * limits) for N1, and none for any other machine type.
   */
  public get gpuConfigurations(): GpuConfiguration[] {
    if (this.gpus) {
      return [{ accelerator: this.gpus.accelerator, count: this.gpus.count }];
    }
    if (this.series === 'n1') {
      return N1_GPUS.flatMap(([accelerator, counts]) =>
        counts.map(([count, maxVcpu, maxMemoryGiB]) => ({ accelerator, count, maxVcpu, maxMemoryGiB })));
    }
    return [];
  }

  /**
   * The GPU models this machine type comes with or takes, without duplicates.
   */
  public get supportedAccelerators(): Accelerator[] {
    const result: Accelerator[] = [];
    for (const { accelerator } of this.gpuConfigurations) {
      if (!result.some(a => a.equals(accelerator))) {
        result.push(accelerator);
      }
    }
    return result;
  }

  /**
   * The machine type name.
   */
  public toString(): string {
    return this.name;
  }
}

function builtInAccelerator(family: string): Accelerator | undefined {
  return BUILT_IN_GPU_FAMILIES.find(([f]) => f === family)?.[1];
}

// a3-edgegpu-8g → 8 × nvidia-h100-80gb: accelerator-optimized A-series names end in the GPU count.
function gpusFromName(name: string): MachineGpus | undefined {
  const accelerator = builtInAccelerator(MachineType.parseFamily(name));
  const count = /-(\d+)g(?:-|$)/.exec(name);
  return accelerator && count ? { accelerator, count: Number(count[1]) } : undefined;
}

type Row = readonly [name: string, vcpu: number, memoryGiB: number, gpus?: MachineGpus];

function withGpus(accelerator: Accelerator, rows: ReadonlyArray<readonly [string, number, number, number]>): Row[] {
  return rows.map(([name, vcpu, memoryGiB, count]) => [name, vcpu, memoryGiB, { accelerator, count }] as const);
}

function perVcpu(family: string, gibPerVcpu: number, sizes: readonly number[]): Row[] {
  // round away float noise (0.9 × 64 = 57.60000000000001).
  return sizes.map(vcpu => [`${family}-${vcpu}`, vcpu, Math.round(vcpu * gibPerVcpu * 100) / 100] as const);
}

/**
 * The catalog name closest to a name that is not in it (a typo such as `g2-standrd-8`): the smallest edit distance,
 * at most 3 edits and less than a third of the name; the first in catalog order on a tie. Undefined when none is close.
 */
function closestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(name.length / 3) - 1);
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d <= bestDistance && (best === undefined || d < editDistance(name, best))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

// Levenshtein distance: insertions, deletions and substitutions.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The custom machine type rules of Compute Engine for the series it documents them for
 * (https://cloud.google.com/compute/docs/instances/creating-instance-with-custom-machine-type, "Custom machine type
 * specifications"; https://cloud.google.com/compute/docs/general-purpose-machines): the vCPU counts each series
 * offers, memory in multiples of 256 MiB, and memory per vCPU within the series' range unless the name asks for
 * extended memory (`-ext`, not offered on E2; then up to the series' total for a VM). Compute Engine refuses any other
 * shape, so GKE fails to create the pool.
 * Other series are passed through unchecked.
 */
interface CustomRule {
  vcpus: (n: number) => boolean; vcpuRule: string; minGiBPerVcpu: number; maxGiBPerVcpu: number;
  /** The most memory a VM of the series may have with extended memory (`-ext`), GB (2^30 bytes); `undefined`: no extended memory. */
  extMaxGiB?: number;
}
// Extended memory maxima per VM, from "Extended memory for custom machine types"
// (https://cloud.google.com/compute/docs/instances/creating-instance-with-custom-machine-type#extendedmemory): N1 624 GB,
// N2 864 GB, N2D 768 GB, none on E2. Each is the memory of the series' largest high-memory machine type (n1-highmem-96,
// n2-highmem-128, n2d-highmem-96). Google's Python helper sample (compute_custom_machine_type_helper_class, TypeLimits
// extra_memory_limit) has N1 624 GB and N2D 768 GB too; its N2 figure (624 GB) and the 2021 page's (640 GB, the
// n2-highmem-80 of the time) predate N2's 128-vCPU shapes, so we keep the page's 864 GB.
const CUSTOM_RULES: Record<string, CustomRule> = {
  n1: { vcpus: (n) => n === 1 || (n % 2 === 0 && n <= 96), vcpuRule: '1 or an even number up to 96', minGiBPerVcpu: 0.9, maxGiBPerVcpu: 6.5, extMaxGiB: 624 },
  n2: {
    vcpus: (n) => (n % 2 === 0 && n >= 2 && n <= 32) || (n % 4 === 0 && n > 32 && n <= 128),
    vcpuRule: 'an even number from 2 to 32, or a multiple of 4 from 36 to 128', minGiBPerVcpu: 0.5, maxGiBPerVcpu: 8, extMaxGiB: 864,
  },
  // N2D: Google's custom-machine-type helper sample (compute-custom-machine-type-helper-class) allows 2, 4, 8, 16, then multiples of 16 up to 96.
  n2d: {
    vcpus: (n) => [2, 4, 8, 16].includes(n) || (n % 16 === 0 && n >= 16 && n <= 96),
    vcpuRule: '2, 4, 8 or 16, or a multiple of 16 up to 96', minGiBPerVcpu: 0.5, maxGiBPerVcpu: 8, extMaxGiB: 768,
  },
  e2: { vcpus: (n) => n % 2 === 0 && n >= 2 && n <= 32, vcpuRule: 'an even number from 2 to 32', minGiBPerVcpu: 0.5, maxGiBPerVcpu: 8 },
};

function checkCustomMachineType(subject: string, name: string): void {
  const m = CUSTOM_MACHINE_TYPE.exec(name);
  if (!m) return;
  const series = m[1] ?? 'n1';
  const rules = CUSTOM_RULES[series];
  if (!rules) return;
  const vcpu = Number(m[2]);
  const mib = Number(m[3]);
  const ext = name.endsWith('-ext');
  if (!rules.vcpus(vcpu)) {
    // suggest the next count the series offers (not simply vcpu + 1, which may be refused too)
    let next = Math.max(1, Math.floor(vcpu) + 1);
    while (next < 512 && !rules.vcpus(next)) next++;
    fail(subject, 'name', name, `have a vCPU count Compute Engine offers for ${series.toUpperCase()} custom machine types (${rules.vcpuRule}; ${vcpu} is not)`,
      `use ${series}-custom-${next}-${mib}${ext ? '-ext' : ''} or another allowed count`);
  }
  if (mib % 256 !== 0) {
    fail(subject, 'name', name, `have memory in a multiple of 256 MiB (${mib} MiB is not)`, `use ${Math.ceil(mib / 256) * 256} MiB`);
  }
  if (ext && rules.extMaxGiB === undefined) {
    fail(subject, 'name', name, `not ask for extended memory: ${series.toUpperCase()} custom machine types have none`, 'drop -ext and stay within the memory per vCPU');
  }
  if (ext && mib > rules.extMaxGiB! * 1024) {
    fail(subject, 'name', name,
      `have at most ${rules.extMaxGiB} GB of memory with extended memory on ${series.toUpperCase()} (${+(mib / 1024).toFixed(3)} GB requested)`,
      `use at most ${rules.extMaxGiB! * 1024} MiB, or a memory-optimized machine type (M1, M2, M3) for more`);
  }
  const memPerVcpu = mib / 1024 / vcpu;
  if (memPerVcpu < rules.minGiBPerVcpu || (!ext && memPerVcpu > rules.maxGiBPerVcpu)) {
    const lo = Math.ceil((rules.minGiBPerVcpu * 1024 * vcpu) / 256) * 256;
    const hi = Math.floor((rules.maxGiBPerVcpu * 1024 * vcpu) / 256) * 256;
    fail(subject, 'name', name,
      `have between ${rules.minGiBPerVcpu} and ${rules.maxGiBPerVcpu} GB of memory per vCPU for ${series.toUpperCase()} (${+memPerVcpu.toFixed(3)} GB per vCPU)`,
      `use between ${lo} and ${hi} MiB for ${vcpu} vCPUs${rules.extMaxGiB !== undefined ? ', or append -ext for extended memory' : ''}`);
  }
}
