import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { K6_IMAGE, LoadTest, LoadTestInternalProps, LoadTestProps } from './load-test';
import { fail, reraiseAs, subjectOf } from '../core/errors';
import { addCheckedPatch } from '../private/checked-patch';
import { hardenPodTemplate } from '../private/pod-hardening';
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
   * A LoadTest per variant with these settings (target and name are set per variant; the variant's axes are added
   * to `annotations` for the report). The variants' load tests run one after the other in one Job, each as soon as
   * the previous one has ended and its own server reports the model AVAILABLE (not at fixed offsets, so a server
   * that starts late delays the rest instead of overlapping them); `startDelay` delays the first.
   *
   * @default - no load tests
   */
  readonly loadTest?: Omit<LoadTestProps, 'target' | 'name'>;
  /**
   * Why the load tests may send fewer examples at once than a batching variant's maxBatchSize. Without it, such
   * a matrix is refused: a batch that never fills closes at batchTimeout, and the variant measures its timeout
   * rather than its batching. The reason is recorded in each affected variant's summary.
   *
   * @default - refused: `concurrency × smallest batch size` must reach every batching variant's maxBatchSize
   */
  readonly acceptUnfilledBatches?: string;
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

/**
 * The matrix prop behind a prop of a generated TfServingModel: the axes set resources, threads, batching and replicas;
 * everything else comes from `server`.
 */
function serverProp(prop: string): string {
  const axes: Array<[RegExp, string]> = [
    [/^resources\.cpu/, 'axes.cpu'], [/^resources\.memory/, 'memory'], [/^threads\.interOp$/, 'axes.interOpThreads'],
    [/^threads/, 'axes.interOpThreads'], [/^batching/, 'axes.batching'], [/^replicas$/, 'axes.replicas'], [/^name/, 'name'],
  ];
  return axes.find(([re]) => re.test(prop))?.[1] ?? `server.${prop}`;
}

/** Seconds of deadline margin per variant's load test (container start-up between init containers). */
const LOAD_TEST_GAP_SECONDS = 30;

/** The TfServingModel props of a variant, as TypeScript, for the report's recommendation. */
function propsSnippet(cpu: kplus.Cpu, memory: Size, interOp: number | undefined, batching: BatchingConfig | undefined, replicas: number): string {
  const cores = cpuToMillis(cpu)! % 1000 === 0 ? `Cpu.units(${cpuToMillis(cpu)! / 1000})` : `Cpu.millis(${cpuToMillis(cpu)})`;
  const lines = [`  resources: { cpu: { request: ${cores}, limit: ${cores} }, memory: { request: Size.mebibytes(${memory.toMebibytes()}), limit: Size.mebibytes(${memory.toMebibytes()}) } },`];
  if (interOp !== undefined) lines.push(`  threads: { interOp: ${interOp} },`);
  if (batching) {
    const p = batching.toParameters(1);
    const fields = [`maxBatchSize: ${p.maxBatchSize}`, `batchTimeout: Duration.millis(${batching.batchTimeout.toMilliseconds({ integral: false })})`];
    if (batching.numBatchThreads !== undefined) fields.push(`numBatchThreads: ${batching.numBatchThreads}`);
    // maxEnqueuedBatches defaults to the thread count: it was set when it does not follow a change of the default.
    if (batching.numBatchThreads !== undefined || p.maxEnqueuedBatches === batching.toParameters(2).maxEnqueuedBatches) fields.push(`maxEnqueuedBatches: ${p.maxEnqueuedBatches}`);
    if (p.allowedBatchSizes) fields.push(`allowedBatchSizes: [${p.allowedBatchSizes.join(', ')}]`);
    if (p.enableLargeBatchSplitting !== undefined) fields.push(`enableLargeBatchSplitting: ${p.enableLargeBatchSplitting}`);
    if (p.maxExecutionBatchSize !== undefined) fields.push(`maxExecutionBatchSize: ${p.maxExecutionBatchSize}`);
    if (p.padVariableLengthInputs !== undefined) fields.push(`padVariableLengthInputs: ${p.padVariableLengthInputs}`);
    lines.push(`  batching: new BatchingConfig({ ${fields.join(', ')} }),`);
  }
  lines.push(`  replicas: ${replicas},`);
  return `// TfServingModelProps of this variant (add your models, gcsAccess, …)\n{\n${lines.join('\n')}\n}`;
}

/** Label every variant's objects carry: the matrix name. */
export const EXPERIMENT_LABEL = 'experiment.tfserving-constructs.io/name';
/** Label every variant's objects carry: the variant name. */
export const VARIANT_LABEL = 'experiment.tfserving-constructs.io/variant';

/**
 * A typed cross product of TF Serving server configurations (CPU × inter-op threads × batching × replicas),
 * each a TfServingModel with its own name and labels, plus a LoadTest per variant: one construct in place
 * of a hand-kept kustomize overlay per configuration.
 *
 * Variants are comparable: every pod of the matrix (each replica of each variant, and the load generator) has a
 * required pod anti-affinity against every other on `kubernetes.io/hostname`, so no two share a node (the node pool
 * needs one node per pod); the load tests run one at a time, each after its server is AVAILABLE and warmed; gRPC
 * and REST clients both discard response bodies.
 *
 * The replicas axis and gRPC: a k6 virtual user keeps one HTTP/2 connection, and a ClusterIP Service (kube-proxy)
 * balances connections, not requests, so each user's gRPC requests all reach one replica. With few users the
 * replicas get uneven load and a two-replica variant can measure like one. Use a concurrency of several times the
 * replica count, compare replicas over REST, or put the servers in a mesh (Istio balances each request).
 */
export class ExperimentMatrix extends Construct {
  private readonly _variants: ExperimentVariant[] = [];
  /** The Job that runs the variants' load tests one after the other, when `loadTest` is set. */
  public readonly loadTestJob?: kplus.Job;

  constructor(scope: Construct, id: string, props: ExperimentMatrixProps) {
    super(scope, id);
    // A refused prop leaves no half-built variants behind (see TfServingModel).
    try {
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
      // Keys compare values, not spellings: Cpu.units(2) and Cpu.millis(2000) are the same variant.
      axis('axes.cpu', cpus, (c) => `${cpuToMillis(c)}m`, (c) => (cpuToMillis(c) ?? 0) > 0, 'hold CPU amounts above 0', 'use e.g. [Cpu.units(2), Cpu.units(4)]');
      axis('axes.interOpThreads', interOps, (v) => String(v ?? 'auto'), (v) => v === undefined || (Number.isInteger(v) && v >= 1), 'hold integers of at least 1', 'use e.g. [1, 2, 4]');
      axis('axes.batching', batchings, (b) => b.label, () => true, 'hold batching variants', 'use e.g. [ExperimentBatching.OFF, ExperimentBatching.with(\'b32\', config)]');
      // Two labels for the same parameters would measure one configuration twice under two names.
      const rendered = batchings.map((b) => b.config?.render(1) ?? 'off');
      rendered.forEach((text, i) => {
        const first = rendered.indexOf(text);
        if (first !== i) {
          fail(subject, 'axes.batching', batchings.map((b) => b.label),
            `not repeat a configuration ('${batchings[first].label}' and '${batchings[i].label}' have the same parameters)`, 'drop one of them, or change its parameters');
        }
      });
      axis('axes.replicas', replicas, (r) => String(r), (r) => Number.isInteger(r) && r >= 1, 'hold integers of at least 1', 'use e.g. [1, 2]');
      const count = cpus.length * interOps.length * batchings.length * replicas.length;
      const max = props.maxVariants ?? 64;
      if (count > max) {
        fail(subject, 'axes', `${cpus.length} × ${interOps.length} × ${batchings.length} × ${replicas.length} = ${count} variants`,
          `produce at most maxVariants (${max}) variants (each is a Deployment)`, 'drop axis values, or raise maxVariants');
      }

      const lt = props.loadTest;
      if (lt) {
        const concurrency = lt.concurrency ?? 8;
        const smallest = (lt.batchSizes ?? [1])[0];
        for (const b of batchings) {
          const maxBatchSize = b.config?.maxBatchSize;
          if (maxBatchSize !== undefined && concurrency * smallest < maxBatchSize && props.acceptUnfilledBatches === undefined) {
            // TF Serving's shared batch scheduler closes a batch when it is full or when batch_timeout_micros passes
            // (batching_session.cc); fewer examples in flight than max_batch_size never fill it.
            fail(subject, 'loadTest.concurrency', concurrency,
              `let batching variant '${b.label}' fill its batches: concurrency × smallest batch size (${concurrency} × ${smallest}) must reach maxBatchSize (${maxBatchSize})`,
              `raise loadTest.concurrency to ${Math.ceil(maxBatchSize / smallest)}, or set acceptUnfilledBatches to say why not`);
          }
        }
      }
      // One Job runs every variant's load test in turn (see LoadTestSequence); its deadline is the sum of theirs.
      let sequenceSeconds = 120;
      const experimentLabels = { [EXPERIMENT_LABEL]: props.name, 'app.kubernetes.io/managed-by': 'tfserving-constructs' };
      const loadJob = lt ? new kplus.Job(this, 'LoadTests', {
        metadata: { name: `${props.name}-load`, labels: { ...experimentLabels, 'app.kubernetes.io/name': 'tfserving-loadtest' } },
        podMetadata: { labels: { ...experimentLabels, 'app.kubernetes.io/name': 'tfserving-loadtest' } },
        backoffLimit: 0,
        activeDeadline: Duration.seconds(1),
        ttlAfterFinished: lt.keepFinishedFor ?? Duration.days(1),
        restartPolicy: kplus.RestartPolicy.NEVER,
        automountServiceAccountToken: false,
        securityContext: { ensureNonRoot: true, user: 12345, group: 12345 },
      }) : undefined;
      // No two pods of the matrix on one node: each variant's replicas, the other variants and the load generator.
      const everyPod = kplus.Pods.select(this, 'ExperimentPods', { labels: { [EXPERIMENT_LABEL]: props.name } });
      loadJob?.scheduling.separate(everyPod, { topology: kplus.Topology.HOSTNAME });
      let first = true;
      for (const cpu of cpus) {
        for (const interOp of interOps) {
          for (const batching of batchings) {
            for (const r of replicas) {
              const cpuLabel = cpu.amount.replace('.', 'p');
              const name = `${props.name}-c${cpuLabel}-i${interOp ?? 'auto'}-b${batching.label}-r${r}`;
              if (name.length > 42) {
                fail(subject, 'name', props.name, `be short enough for every variant name to fit 42 characters ('${name}' has ${name.length})`, 'use a shorter prefix');
              }
              // Errors of the generated server and load test name this matrix and the prop the user set.
              const variant = `variant '${name}'`;
              const model = reraiseAs(subject, serverProp, variant, () => new TfServingModel(this, name, {
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
              }));
              model.deployment.scheduling.separate(everyPod, { topology: kplus.Topology.HOSTNAME });
              const annotations: Record<string, string> = {
                ...(lt?.annotations ?? {}), variant: name, cpuMillis: String(cpuToMillis(cpu)), interOpThreads: String(interOp ?? 'auto'),
                batching: batching.label, replicas: String(r),
                props: propsSnippet(cpu, props.memory ?? Size.gibibytes(4), interOp, batching.config, r),
                ...(batching.config && props.acceptUnfilledBatches !== undefined ? { unfilledBatches: props.acceptUnfilledBatches } : {}),
              };
              const sequence = { job: loadJob!, addSeconds: (sec: number) => { sequenceSeconds += sec + LOAD_TEST_GAP_SECONDS; } };
              const loadTest = lt ? reraiseAs(subject, (p) => `loadTest.${p}`, variant, () => new LoadTest(this, `${name}-load`, {
                ...lt, target: model, name: `${name}-load`, annotations, startDelay: first ? lt.startDelay : undefined, _sequence: sequence,
              } as LoadTestInternalProps)) : undefined;
              first = false;
              this._variants.push({
                name, cpuMillis: cpuToMillis(cpu)!, interOpThreads: interOp, batching: batching.label, replicas: r, model, loadTest,
              });
            }
          }
        }
      }
      this.loadTestJob = loadJob;
      if (loadJob) {
        ApiObject.of(loadJob).addJsonPatch(JsonPatch.replace('/spec/activeDeadlineSeconds', sequenceSeconds));
        // The pod's one regular container runs after every init container has ended: it only marks the end.
        loadJob.addContainer({
          name: 'done', image: K6_IMAGE, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT, args: ['version'],
          resources: {
            cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(50) },
            memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) },
          },
          securityContext: {
            ensureNonRoot: true, user: 12345, group: 12345, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
          },
        });
        hardenPodTemplate(ApiObject.of(loadJob));
        loadJob.initContainers.forEach((_, i) => addCheckedPatch(ApiObject.of(loadJob),
          `/spec/template/spec/initContainers/${i}/securityContext/capabilities`, { drop: ['ALL'] }));
      }
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
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
