import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LoadTest, LoadTestProps } from './load-test';
import { fail, subjectOf } from '../core/errors';
import { BatchingConfig } from '../serving/batching-config';
import { cpuToMillis, TfServingModel, TfServingModelProps } from '../serving/tf-serving-model';

/** One value of the batching axis: off, or a named BatchingConfig. */
export class ExperimentBatching {
  /** Batching off. */
  public static readonly OFF = new ExperimentBatching('off');

  /**
   * Batching with these parameters.
   *
   * @param label short name used in the variant's name, e.g. `b32` (lower-case letters and digits)
   */
  public static with(label: string, config: BatchingConfig): ExperimentBatching {
    if (!/^[a-z0-9]{1,8}$/.test(label) || label === 'off') {
      fail('ExperimentBatching.with', 'label', label, 'be 1–8 lower-case letters or digits, not \'off\'', 'use e.g. \'b32\'');
    }
    return new ExperimentBatching(label, config);
  }

  private constructor(
    /** The label in variant names. */
    public readonly label: string,
    /** The parameters, unless off. */
    public readonly config?: BatchingConfig,
  ) {}
}

/** The axes of the cross product; each variant takes one value of each. */
export interface ExperimentAxes {
  /** CPU per replica (request = limit). */
  readonly cpu: kplus.Cpu[];
  /**
   * `--tensorflow_inter_op_parallelism` values.
   *
   * @default - one value: derived from the CPU request
   */
  readonly interOpThreads?: number[];
  /**
   * Batching variants.
   *
   * @default [ExperimentBatching.OFF]
   */
  readonly batching?: ExperimentBatching[];
  /**
   * Replica counts.
   *
   * @default [1]
   */
  readonly replicas?: number[];
}

/** Properties of an {@link ExperimentMatrix}. */
export interface ExperimentMatrixProps {
  /** Prefix of every variant's name, e.g. `resnet-exp`. */
  readonly name: string;
  /**
   * Everything the variants share (models, sources, image …). The axes set resources, threads, batching and
   * replicas; autoscaling is off so that variants compare at fixed size.
   */
  readonly server: Omit<TfServingModelProps, 'name' | 'resources' | 'threads' | 'batching' | 'replicas' | 'autoscaling'>;
  /** The cross product. */
  readonly axes: ExperimentAxes;
  /**
   * Memory per replica (request = limit).
   *
   * @default Size.gibibytes(4)
   */
  readonly memory?: Size;
  /**
   * A LoadTest per variant with these settings (target and name are set per variant). The variants' load
   * tests run one after the other (each starts 30 s after the previous one ends), so they do not compete
   * for the nodes; `startDelay` delays the first.
   *
   * @default - no load tests
   */
  readonly loadTest?: Omit<LoadTestProps, 'target' | 'name'>;
  /**
   * Refuse a product larger than this (each variant is a Deployment of its own).
   *
   * @default 64
   */
  readonly maxVariants?: number;
}

/** One server configuration of the matrix. */
export interface ExperimentVariant {
  /** Name of its objects, e.g. `resnet-exp-c2-iauto-boff-r1`. */
  readonly name: string;
  /** CPU per replica, millicores. */
  readonly cpuMillis: number;
  /** Inter-op threads, or undefined when derived. */
  readonly interOpThreads?: number;
  /** Batching label. */
  readonly batching: string;
  /** Replicas. */
  readonly replicas: number;
  /** The server. */
  readonly model: TfServingModel;
  /** Its load test, when `loadTest` is set. */
  readonly loadTest?: LoadTest;
}

/** Seconds between one variant's load test and the next. */
const LOAD_TEST_GAP_SECONDS = 30;

/** Label every variant's objects carry: the matrix name. */
export const EXPERIMENT_LABEL = 'experiment.tfserving-constructs.io/name';
/** Label every variant's objects carry: the variant name. */
export const VARIANT_LABEL = 'experiment.tfserving-constructs.io/variant';

/**
 * A typed cross product of TF Serving server configurations (CPU × inter-op threads × batching × replicas),
 * each a TfServingModel with its own name and labels, plus a LoadTest per variant: one construct in place
 * of a hand-kept kustomize overlay per configuration.
 */
export class ExperimentMatrix extends Construct {
  private readonly _variants: ExperimentVariant[] = [];

  constructor(scope: Construct, id: string, props: ExperimentMatrixProps) {
    super(scope, id);
    const subject = subjectOf('ExperimentMatrix', id);
    const axes = props.axes;
    const cpus = axes.cpu;
    const interOps: Array<number | undefined> = axes.interOpThreads ?? [undefined];
    const batchings = axes.batching ?? [ExperimentBatching.OFF];
    const replicas = axes.replicas ?? [1];
    const axis = <T>(prop: string, values: T[], key: (v: T) => string, valid: (v: T) => boolean, rule: string, fix: string) => {
      if (values.length === 0) fail(subject, prop, [], 'list at least one value', fix);
      const keys = values.map(key);
      values.forEach((v, i) => {
        if (!valid(v)) fail(subject, prop, keys, rule, fix);
        if (keys.indexOf(keys[i]) !== i) fail(subject, prop, keys, `not repeat a value (${keys[i]} appears twice)`, 'list each value once');
      });
    };
    axis('axes.cpu', cpus, (c) => c.amount, (c) => (cpuToMillis(c) ?? 0) > 0, 'hold CPU amounts above 0', 'use e.g. [Cpu.units(2), Cpu.units(4)]');
    axis('axes.interOpThreads', interOps, (v) => String(v ?? 'auto'), (v) => v === undefined || (Number.isInteger(v) && v >= 1), 'hold integers of at least 1', 'use e.g. [1, 2, 4]');
    axis('axes.batching', batchings, (b) => b.label, () => true, 'hold batching variants', 'use e.g. [ExperimentBatching.OFF, ExperimentBatching.with(\'b32\', config)]');
    axis('axes.replicas', replicas, (r) => String(r), (r) => Number.isInteger(r) && r >= 1, 'hold integers of at least 1', 'use e.g. [1, 2]');
    const count = cpus.length * interOps.length * batchings.length * replicas.length;
    const max = props.maxVariants ?? 64;
    if (count > max) {
      fail(subject, 'axes', `${cpus.length} × ${interOps.length} × ${batchings.length} × ${replicas.length} = ${count} variants`,
        `produce at most maxVariants (${max}) variants (each is a Deployment)`, 'drop axis values, or raise maxVariants');
    }

    let nextStart = (props.loadTest?.startDelay ?? Duration.seconds(0)).toSeconds();
    for (const cpu of cpus) {
      for (const interOp of interOps) {
        for (const batching of batchings) {
          for (const r of replicas) {
            const cpuLabel = cpu.amount.replace('.', 'p');
            const name = `${props.name}-c${cpuLabel}-i${interOp ?? 'auto'}-b${batching.label}-r${r}`;
            if (name.length > 42) {
              fail(subject, 'name', props.name, `be short enough for every variant name to fit 42 characters ('${name}' has ${name.length})`, 'use a shorter prefix');
            }
            const model = new TfServingModel(this, name, {
              ...props.server,
              name,
              labels: { ...(props.server.labels ?? {}), [EXPERIMENT_LABEL]: props.name, [VARIANT_LABEL]: name },
              resources: {
                cpu: { request: cpu, limit: cpu },
                memory: { request: props.memory ?? Size.gibibytes(4), limit: props.memory ?? Size.gibibytes(4) },
              },
              threads: interOp === undefined ? undefined : { interOp },
              batching: batching.config,
              replicas: r,
            });
            // One variant's load at a time: concurrent load tests on shared nodes would skew the comparison.
            const loadTest = props.loadTest ? new LoadTest(this, `${name}-load`, {
              ...props.loadTest, target: model, name: `${name}-load`, startDelay: Duration.seconds(nextStart),
            }) : undefined;
            if (loadTest) nextStart += loadTest.totalDuration.toSeconds() + LOAD_TEST_GAP_SECONDS;
            this._variants.push({
              name, cpuMillis: cpuToMillis(cpu)!, interOpThreads: interOp, batching: batching.label, replicas: r, model, loadTest,
            });
          }
        }
      }
    }
  }

  /** The variants, in axis order (cpu, then inter-op, then batching, then replicas). */
  public get variants(): ExperimentVariant[] {
    return [...this._variants];
  }

  /** A plain table of the variants (for a report). */
  public describe(): string {
    return this._variants.map((v) => `${v.name}\tcpu=${v.cpuMillis}m\tinterOp=${v.interOpThreads ?? 'auto'}\tbatching=${v.batching}\treplicas=${v.replicas}`).join('\n');
  }
}
