import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LoadTestPayload } from './load-test-payload';
import { fail, subjectOf } from '../core/errors';
import { checkAnnotations, checkDuration, checkImageReference, checkObjectName } from '../core/kubernetes';
import { DNS_1035_LABEL, DNS_SUBDOMAIN, HTTP_URL, isBucketName } from '../core/names';
import { ENVOY_METRICS_PORT, ISTIOD_XDS_PORT, SIDECAR_AGENT_PORT } from '../mesh/sidecar-network-policy';
import { addCheckedPatch } from '../private/checked-patch';
import { formatDuration } from '../private/duration';
import { dnsEgress, gkeMetadataEgress, namespacePeer, namespacePeerText, tcpPort } from '../private/network-peers';
import { hardenPodTemplate } from '../private/pod-hardening';
import { ensureUniqueObjectNames } from '../private/unique-names';
import { IServingEndpoint } from '../serving/serving-endpoint';
import { warmupRequestsFile } from '../tfserving/tfrecord';

/** The load generator: Grafana k6, pinned. */
export const K6_IMAGE = 'grafana/k6:0.54.0';

/** The label that selects one LoadTest's pods (its NetworkPolicy). */
const LOAD_TEST_LABEL = 'tfserving-constructs.io/load-test';

/** The protocol a load-test scenario speaks. */
export class LoadProtocol {
  /** gRPC `tensorflow.serving.PredictionService/Predict` on the gRPC port. */
  public static readonly GRPC = new LoadProtocol('grpc');
  /** REST `POST /v1/models/NAME:predict` on the REST port. */
  public static readonly REST = new LoadProtocol('rest');

  private constructor(
    /** `grpc` or `rest`. */
    public readonly name: 'grpc' | 'rest',
  ) {}
}

/** One stage of a ramping arrival rate: reach `target` requests per second over `duration`. */
export interface RateStage {
  /** Requests per second at the end of the stage. */
  readonly target: number;
  /** How long the stage lasts (whole seconds). */
  readonly duration: Duration;
}

/**
 * Open-model load: requests start at a target rate whatever the latency (k6 arrival-rate executors), so queueing
 * shows in the latency instead of slowing the client down (closed loops hide it: coordinated omission). The
 * LoadTest's `concurrency` caps the in-flight requests (k6 `maxVUs`); when it is too low to hold the rate, k6 drops
 * iterations and the error-rate objective still reads only the requests sent.
 */
export class ArrivalRate {
  /** A constant rate (k6 `constant-arrival-rate`) for the LoadTest's `duration`. */
  public static constant(qps: number): ArrivalRate {
    return new ArrivalRate('constant-arrival-rate', qps, []);
  }

  /** A rate that moves through stages (k6 `ramping-arrival-rate`); the stages replace the LoadTest's `duration`. */
  public static ramping(stages: RateStage[], startQps = 0): ArrivalRate {
    return new ArrivalRate('ramping-arrival-rate', startQps, stages);
  }

  private constructor(
    /** The k6 executor. */
    public readonly executor: 'constant-arrival-rate' | 'ramping-arrival-rate',
    /** Requests per second (constant), or at the start (ramping). */
    public readonly qps: number,
    /** Stages (ramping only). */
    public readonly stages: RateStage[],
  ) {}
}

/** Properties of a {@link LoadTest}. */
export interface LoadTestProps {
  /** The Service to load: a TfServingModel, or a canary Service in front of several. */
  readonly target: IServingEndpoint;
  /**
   * The model to call.
   *
   * @default - the target's first model
   */
  readonly modelName?: string;
  /** The request: `LoadTestPayload.of({ inputs })` (values generated in k6 from a seed) or `LoadTestPayload.tensor(…)`. */
  readonly payload: LoadTestPayload;
  /**
   * Headers sent with every request: HTTP headers over REST, metadata over gRPC (e.g. a routing header).
   *
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /**
   * Protocols to drive; each batch size runs once per protocol, one scenario after the other.
   *
   * @default [LoadProtocol.GRPC, LoadProtocol.REST]
   */
  readonly protocols?: LoadProtocol[];
  /**
   * Batch sizes to send (examples per request), increasing.
   *
   * @default [1]
   */
  readonly batchSizes?: number[];
  /**
   * Concurrent virtual users (in-flight requests) per scenario; with `arrivalRate`, the most in flight (k6 maxVUs).
   *
   * @default 8
   */
  readonly concurrency?: number;
  /**
   * Drive a request rate instead of a fixed concurrency.
   *
   * @default - closed loop: `concurrency` users, each sending its next request when the previous one returns
   */
  readonly arrivalRate?: ArrivalRate;
  /**
   * How long each measured scenario runs; at most 1 hour (with a ramping arrival rate, the stages set it).
   *
   * @default Duration.minutes(1)
   */
  readonly duration?: Duration;
  /**
   * A warm-up before each measured scenario, with the same protocol and batch size, left out of the results and
   * the thresholds (first requests after a load, and each new batch shape, are slow).
   *
   * @default Duration.seconds(30)
   */
  readonly warmup?: Duration;
  /**
   * Latency objective: the 99th percentile of successful requests in each measured scenario. Missing it fails the
   * Job (k6 exits 99 when a threshold fails; the Job runs its pod once).
   *
   * @default - no latency objective (the latencies are reported; only the error rate can fail the Job)
   */
  readonly latencyObjective?: Duration;
  /**
   * Highest share of failed requests (non-200 over REST, non-OK over gRPC, timeouts) per measured scenario, 0 to 1.
   * Failed requests never count in the latency percentiles.
   *
   * @default 0.01
   */
  readonly maxErrorRate?: number;
  /**
   * How long k6 waits for the target to report the model AVAILABLE (GET /v1/models/NAME) before the first scenario.
   *
   * @default Duration.minutes(10)
   */
  readonly readinessTimeout?: Duration;
  /**
   * Request timeout.
   *
   * @default Duration.seconds(10)
   */
  readonly requestTimeout?: Duration;
  /**
   * Key/value pairs copied into the run's summary (the report groups by `variant`; an ExperimentMatrix records
   * its variant's axes and props here).
   *
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Also write the run's summary to Cloud Storage, as `<prefix>/<name>-<start time>.json`, e.g.
   * `gs://acme-bench/loadtests`. The pod runs as `serviceAccountName`, which Workload Identity must map to a Google
   * service account allowed to create objects in the bucket (roles/storage.objectCreator).
   *
   * @default - the summary only in the Job's log
   */
  readonly summaryUri?: string;
  /**
   * The Kubernetes ServiceAccount the Job's pod runs as (for `summaryUri`: one bound with Workload Identity).
   *
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * Send k6's metrics to a Prometheus remote-write endpoint (k6's `experimental-prometheus-rw` output).
   *
   * @default - metrics only in the Job's log
   */
  readonly prometheusRemoteWriteUrl?: string;
  /**
   * The Job's name.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Wait this long before the first scenario (k6 scenarios' startTime); the deadline grows by the same amount.
   *
   * @default Duration.seconds(0)
   */
  readonly startDelay?: Duration;
  /**
   * Keep the finished Job (and its log) this long.
   *
   * @default Duration.days(1)
   */
  readonly keepFinishedFor?: Duration;
  /**
   * The k6 image, e.g. a copy in a private registry (clusters without internet egress, Binary Authorization). It
   * must be k6 0.54 or compatible: the script uses `k6/net/grpc`, `k6/encoding` and `k6/data`.
   *
   * @default K6_IMAGE
   */
  readonly image?: string;
  /**
   * The namespace istiod runs in, for the sidecar's egress (a target in a mesh).
   *
   * @default 'istio-system'
   */
  readonly istioNamespace?: string;
}

/**
 * Runs several LoadTests one after the other in one Job (an ExperimentMatrix): each test's k6 is an init container
 * that starts when the previous one has ended, so a test that waits longer for its model delays the next one
 * instead of overlapping it. Not public API.
 * @internal
 */
export interface LoadTestSequence {
  /** The shared Job. */
  readonly job: kplus.Job;
  /** Adds a test's time (readiness wait + scenarios) to the Job's deadline. */
  addSeconds(seconds: number): void;
}

/** @internal */
export interface LoadTestInternalProps extends LoadTestProps {
  /**
   * Run inside this sequence instead of a Job of its own.
   *
   * @default - a Job of its own
   */
  readonly _sequence?: LoadTestSequence;
}

const GAP_SECONDS = 5;
/** The API server refuses a ConfigMap whose data exceed 1 MiB (k8s.io/kubernetes pkg/apis/core/validation, ValidateConfigMap). */
const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
// gRPC metadata keys are lower-case (grpc-go metadata.New lower-cases; HTTP/2 forbids upper case); both protocols send them.
const HEADER_NAME = /^[0-9a-z][0-9a-z_.-]*$/;
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'te', 'connection', 'user-agent']);

/** One k6 scenario as the script reads it. */
interface ScenarioSpec {
  readonly name: string;
  readonly protocol: string;
  readonly batchSize: number;
  readonly warmup: boolean;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly executor: Record<string, unknown>;
}

/**
 * A bounded k6 load test against a TF Serving Service: a Job (run once, deadline = readiness wait plus the
 * scenarios' total time plus a margin) that waits for the model to be AVAILABLE, then runs a warm-up and a measured
 * scenario per protocol × batch size, checks latency and error-rate objectives (a miss fails the Job), and prints
 * one JSON summary line (`npx tfserving-constructs report` turns summaries into an HTML report).
 *
 * k6 because it drives both gRPC (with a proto file) and HTTP from one script, has per-scenario tags and
 * thresholds, open-model (arrival-rate) executors, writes Prometheus remote-write natively, and is maintained by
 * Grafana Labs; ghz is gRPC-only, fortio's gRPC load only calls its own ping service, and Locust needs Python glue
 * for gRPC.
 */
export class LoadTest extends Construct {
  /** The Job (id `Resource`). */
  public readonly job: kplus.Job;
  /**
   * The Job's NetworkPolicy: no ingress; egress to DNS, the target's serving ports (and istiod, in a mesh), the
   * remote-write port and, with a summaryUri, Cloud Storage and the metadata server. Undefined in an
   * ExperimentMatrix, whose one Job runs every variant's test.
   */
  public readonly networkPolicy?: kplus.k8s.KubeNetworkPolicy;
  /** The ConfigMap with the k6 script, the payload and the proto. */
  public readonly configMap: kplus.k8s.KubeConfigMap;
  /** The Job's name. */
  public readonly name: string;
  /** The model called. */
  public readonly modelName: string;
  /** The request. */
  public readonly payload: LoadTestPayload;
  /** Batch sizes sent. */
  public readonly batchSizes: number[];
  /** Measured scenario names, in the order they run (`grpc_b1`, `rest_b1`, …); each after its `warmup_` scenario. */
  public readonly scenarios: string[];
  /** From the first scenario's start to the last one's end (warm-ups and gaps included). */
  public readonly totalDuration: Duration;
  /** The wait before the first scenario. */
  public readonly startDelay: Duration;

  constructor(scope: Construct, id: string, props: LoadTestProps) {
    super(scope, id);
    // A refused prop leaves no half-built Job behind (see TfServingModel).
    try {
      const sequence = (props as LoadTestInternalProps)._sequence;
      const subject = subjectOf('LoadTest', id);
      const target = props.target;
      const modelName = props.modelName ?? target.modelNames[0];
      if (!target.modelNames.includes(modelName)) {
        fail(subject, 'modelName', modelName, `be a model the target serves (${target.modelNames.join(', ')})`, 'pick one of those names');
      }
      this.modelName = modelName;
      this.payload = props.payload;
      const protocols = props.protocols ?? [LoadProtocol.GRPC, LoadProtocol.REST];
      if (protocols.length === 0 || new Set(protocols).size !== protocols.length) {
        fail(subject, 'protocols', protocols.map((p) => p.name), 'list each protocol at most once, at least one', 'use [LoadProtocol.GRPC, LoadProtocol.REST]');
      }
      if (target.grpcTls && protocols.includes(LoadProtocol.GRPC)) {
        // k6's gRPC client connects in plaintext here (load-test.js `plaintext: true`); the port accepts TLS only.
        fail(subject, 'protocols', protocols.map((p) => p.name),
          `not include grpc: the target's gRPC port accepts TLS only (grpcTls from Secret '${target.grpcTls.secretName}'), and the load test speaks plaintext gRPC`,
          'use protocols: [LoadProtocol.REST], or a target without grpcTls');
      }
      const batchSizes = props.batchSizes ?? [1];
      if (batchSizes.length === 0 || !batchSizes.every((b, i) => Number.isInteger(b) && b >= 1 && (i === 0 || b > batchSizes[i - 1]))) {
        fail(subject, 'batchSizes', batchSizes, 'be increasing positive integers, at least one', 'use e.g. [1, 8, 32]');
      }
      this.batchSizes = [...batchSizes];
      const batching = target.batching;
      const maxRequest = batching?.maxBatchSize;
      const last = batchSizes[batchSizes.length - 1];
      if (maxRequest !== undefined && last > maxRequest && !batching!.toParameters(1).enableLargeBatchSplitting) {
        fail(subject, 'batchSizes', batchSizes, `not exceed the target's maxBatchSize (${maxRequest}): TF Serving rejects a request larger than a batch`,
          'drop the larger sizes, or turn on enableLargeBatchSplitting in the target\'s BatchingConfig');
      }
      const concurrency = props.concurrency ?? 8;
      if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000)) {
        fail(subject, 'concurrency', concurrency, 'be an integer between 1 and 1000', 'use e.g. 8 (TF Serving advises 2 × maxBatchSize client threads for batching)');
      }
      const cap = target.grpcMaxThreads;
      if (cap !== undefined && protocols.includes(LoadProtocol.GRPC) && concurrency > cap) {
        // server.cc: --grpc_max_threads is a gRPC ResourceQuota; a call beyond it fails at once (RESOURCE_EXHAUSTED),
        // and one connection per virtual user may land on a single replica. Under an arrival rate, concurrency caps the
        // virtual users (requests in flight), so the same bound holds.
        fail(subject, 'concurrency', concurrency, `not exceed the target's gRPC cap (--grpc_max_threads=${cap} per replica): calls beyond it fail at once with RESOURCE_EXHAUSTED`,
          `lower concurrency to ${cap}, or raise the target's threads.grpcMax`);
      }
      const wholeSeconds = (prop: string, d: Duration, min: number, max: number, rule: string, fix: string): number => {
        const s = d.toSeconds({ integral: false });
        if (!(Number.isInteger(s) && s >= min && s <= max)) fail(subject, prop, formatDuration(d), rule, fix);
        return s;
      };
      const rate = props.arrivalRate;
      let seconds: number;
      if (rate?.executor === 'ramping-arrival-rate') {
        if (props.duration !== undefined) {
          fail(subject, 'duration', formatDuration(props.duration), 'be left out with a ramping arrival rate (its stages set the duration)', 'drop duration, or use ArrivalRate.constant');
        }
        if (rate.stages.length === 0) fail(subject, 'arrivalRate.stages', [], 'list at least one stage', 'use e.g. [{ target: 100, duration: Duration.minutes(2) }]');
        seconds = rate.stages.reduce((sum, st, i) => {
          if (!(Number.isInteger(st.target) && st.target >= 0)) fail(subject, `arrivalRate.stages[${i}].target`, st.target, 'be a whole number of requests per second, 0 or more', 'use e.g. 100');
          return sum + wholeSeconds(`arrivalRate.stages[${i}].duration`, st.duration, 1, 3600, 'be a whole number of seconds between 1 second and 1 hour', 'use e.g. Duration.minutes(1)');
        }, 0);
        if (seconds > 3600) fail(subject, 'arrivalRate.stages', `${seconds}s in all`, 'last at most 1 hour in all (a load test is bounded)', 'shorten the stages');
      } else {
        seconds = wholeSeconds('duration', props.duration ?? Duration.minutes(1), 1, 3600,
          'be a whole number of seconds between 1 second and 1 hour (a load test is bounded)', 'use e.g. Duration.minutes(2)');
      }
      if (rate && !(Number.isInteger(rate.qps) && rate.qps >= (rate.executor === 'constant-arrival-rate' ? 1 : 0) && rate.qps <= 100000)) {
        fail(subject, 'arrivalRate', rate.qps, `be a whole number of requests per second between ${rate.executor === 'constant-arrival-rate' ? 1 : 0} and 100000`, 'use e.g. ArrivalRate.constant(200)');
      }
      const warmup = wholeSeconds('warmup', props.warmup ?? Duration.seconds(30), 0, 600, 'be a whole number of seconds between 0 and 10 minutes', 'use e.g. Duration.seconds(30)');
      const readiness = wholeSeconds('readinessTimeout', props.readinessTimeout ?? Duration.minutes(10), 1, 3600, 'be a whole number of seconds between 1 second and 1 hour', 'use e.g. Duration.minutes(10)');
      // k6 thresholds and the request timeout are written in whole milliseconds, the Job's TTL in whole seconds.
      if (props.latencyObjective) checkDuration(subject, 'latencyObjective', props.latencyObjective, 'millis');
      if (props.requestTimeout) checkDuration(subject, 'requestTimeout', props.requestTimeout, 'millis', 1);
      if (props.keepFinishedFor) checkDuration(subject, 'keepFinishedFor', props.keepFinishedFor, 'seconds');
      checkAnnotations(subject, 'annotations', props.annotations);
      if (props.image !== undefined) checkImageReference(subject, 'image', props.image);
      if (props.istioNamespace !== undefined) checkObjectName(subject, 'istioNamespace', props.istioNamespace, 'dns-label');
      const latencyMs = props.latencyObjective?.toMilliseconds();
      if (latencyMs !== undefined && !(latencyMs >= 1)) {
        fail(subject, 'latencyObjective', formatDuration(props.latencyObjective!), 'be at least 1 millisecond', 'use e.g. Duration.millis(200)');
      }
      const maxErrorRate = props.maxErrorRate ?? 0.01;
      if (!(maxErrorRate >= 0 && maxErrorRate < 1)) {
        fail(subject, 'maxErrorRate', maxErrorRate, 'be a share from 0 up to (not including) 1', 'use e.g. 0.01 for 1 %');
      }
      const headers = props.headers ?? {};
      for (const [k, v] of Object.entries(headers)) {
        if (!HEADER_NAME.test(k) || RESERVED_HEADERS.has(k) || k.startsWith('grpc-') || k.startsWith(':')) {
          fail(subject, 'headers', k, 'be lower-case header names (letters, digits, \'-\', \'_\', \'.\'), not content-type, host, te, connection, user-agent or grpc-*',
            'use e.g. { \'x-model-version\': \'2\' }');
        }
        if (!/^[\x20-\x7e]*$/.test(v)) fail(subject, `headers.${k}`, v, 'be printable ASCII', 'encode the value');
      }
      const annotations = props.annotations ?? {};
      const summaryUri = props.summaryUri;
      const upload = summaryUri === undefined ? undefined : (() => {
        const m = /^gs:\/\/([^/]+)((?:\/[^/]+)*)\/?$/.exec(summaryUri);
        if (!m || !isBucketName(m[1])) fail(subject, 'summaryUri', summaryUri, 'be gs://BUCKET or gs://BUCKET/PREFIX with a valid bucket name', 'use e.g. gs://acme-bench/loadtests');
        return { bucket: m[1], prefix: m[2] ? `${m[2].slice(1)}/` : '' };
      })();
      const serviceAccountName = props.serviceAccountName;
      if (serviceAccountName !== undefined && !DNS_SUBDOMAIN.test(serviceAccountName)) {
        fail(subject, 'serviceAccountName', serviceAccountName, 'be a DNS subdomain (a ServiceAccount name)', 'use e.g. loadtest-writer');
      }
      if (summaryUri !== undefined && serviceAccountName === undefined) {
        fail(subject, 'serviceAccountName', undefined, 'name the Workload Identity ServiceAccount that may write to the summaryUri bucket',
          'bind a ServiceAccount to a Google service account with roles/storage.objectCreator and name it here');
      }
      const timeout = props.requestTimeout ?? Duration.seconds(10);
      const url = props.prometheusRemoteWriteUrl;
      if (url !== undefined && !HTTP_URL.test(url)) {
        fail(subject, 'prometheusRemoteWriteUrl', url, 'be an http(s) URL', 'use e.g. http://prometheus.monitoring:9090/api/v1/write');
      }

      this.name = props.name ?? id;
      if (!DNS_1035_LABEL.test(this.name)) {
        fail(subject, 'name', this.name, 'be a DNS label (lower-case letters, digits, \'-\', at most 63 characters)', 'pass a shorter name');
      }
      const delay = (props.startDelay ?? Duration.seconds(0)).toSeconds({ integral: false });
      if (!(Number.isInteger(delay) && delay >= 0 && delay <= 86400)) {
        fail(subject, 'startDelay', formatDuration(props.startDelay!), 'be a whole number of seconds between 0 and 1 day', 'use e.g. Duration.minutes(5)');
      }
      this.startDelay = Duration.seconds(delay);
      const measured = (): Record<string, unknown> => {
        if (!rate) return { executor: 'constant-vus', vus: concurrency, duration: `${seconds}s` };
        const common = { timeUnit: '1s', preAllocatedVUs: concurrency, maxVUs: concurrency };
        return rate.executor === 'constant-arrival-rate'
          ? { executor: rate.executor, rate: rate.qps, duration: `${seconds}s`, ...common }
          : { executor: rate.executor, startRate: rate.qps, ...common, stages: rate.stages.map((st) => ({ target: st.target, duration: `${st.duration.toSeconds()}s` })) };
      };
      const scenarioList: ScenarioSpec[] = [];
      let start = delay;
      for (const protocol of protocols) {
        for (const b of batchSizes) {
          const name = `${protocol.name}_b${b}`;
          if (warmup > 0) {
            scenarioList.push({
              name: `warmup_${name}`, protocol: protocol.name, batchSize: b, warmup: true, startSeconds: start, durationSeconds: warmup,
              executor: { executor: 'constant-vus', vus: concurrency, duration: `${warmup}s` },
            });
            start += warmup + GAP_SECONDS;
          }
          scenarioList.push({
            name, protocol: protocol.name, batchSize: b, warmup: false, startSeconds: start, durationSeconds: seconds, executor: measured(),
          });
          start += seconds + GAP_SECONDS;
        }
      }
      this.scenarios = scenarioList.filter((s) => !s.warmup).map((s) => s.name);
      const totalSeconds = start - GAP_SECONDS - delay;
      this.totalDuration = Duration.seconds(totalSeconds);

      const host = target.serviceNamespace ? `${target.serviceName}.${target.serviceNamespace}.svc` : target.serviceName;
      const config = {
        name: this.name,
        model: modelName,
        grpcAddress: `${host}:${target.grpcPort}`,
        restUrl: `http://${host}:${target.restPort}/v1/models/${modelName}:predict`,
        statusUrl: `http://${host}:${target.restPort}/v1/models/${modelName}`,
        readiness: { timeoutSeconds: readiness, intervalSeconds: 5 },
        timeoutMs: timeout.toMilliseconds(),
        headers,
        objectives: { ...(latencyMs === undefined ? {} : { latencyP99Ms: latencyMs }), maxErrorRate },
        annotations,
        ...(upload ? { summaryFile: `/results/${this.name}.json`, upload } : {}),
        scenarios: scenarioList,
        payload: props.payload._spec,
      };
      const labels = { 'app.kubernetes.io/name': 'tfserving-loadtest', 'app.kubernetes.io/instance': this.name, 'app.kubernetes.io/managed-by': 'tfserving-constructs' };
      const data: Record<string, string> = { 'loadtest.json': `${prettyJson(config)}\n`, 'script.js': k6Script(), 'predict.proto': predictProto() };
      if (upload) data['upload.js'] = k6Asset('upload.js');
      const bytes = Object.values(data).reduce((sum, v) => sum + Buffer.byteLength(v, 'utf8'), 0);
      if (bytes > CONFIG_MAP_MAX_BYTES) {
        fail(subject, 'payload', `${(bytes / 1048576).toFixed(2)} MiB ConfigMap`, 'fit the 1 MiB the API server allows a ConfigMap',
          'leave the large inputs\' values out of LoadTestPayload.of so that k6 generates them from the seed');
      }
      this.configMap = new kplus.k8s.KubeConfigMap(this, 'Config', { metadata: { name: `${this.name}-k6`, labels }, data });

      this.job = sequence?.job ?? new kplus.Job(this, 'Resource', {
        metadata: { name: this.name, labels },
        podMetadata: { labels: { ...labels, [LOAD_TEST_LABEL]: this.name } },
        // Run once: k6 exits 99 when a threshold fails (and 107 when setup() gives up waiting for the model); with
        // restartPolicy Never and backoffLimit 0 either exit code fails the Job instead of re-running the test.
        backoffLimit: 0,
        // Bounded: the deadline stops a stuck run; the scenarios' own durations stop a healthy one.
        activeDeadline: Duration.seconds(delay + readiness + totalSeconds + 120),
        ttlAfterFinished: props.keepFinishedFor ?? Duration.days(1),
        restartPolicy: kplus.RestartPolicy.NEVER,
        automountServiceAccountToken: false,
        securityContext: { ensureNonRoot: true, user: 12345, group: 12345 },
      });
      sequence?.addSeconds(delay + readiness + totalSeconds);
      if (target.mesh) {
        // The target admits only mTLS callers: run with a sidecar, as a native sidecar so that it stops when k6 ends
        // (a classic sidecar keeps the Job running until its deadline, and would not run during init containers).
        // `sidecar.istio.io/inject` is a label: Istio's injection webhook selects pods by it (objectSelector); the
        // annotation form is deprecated (istioctl analyze IST0135).
        if (this.job.podMetadata.getLabel('sidecar.istio.io/inject') === undefined) {
          this.job.podMetadata.addLabel('sidecar.istio.io/inject', 'true');
          this.job.podMetadata.addAnnotation('sidecar.istio.io/nativeSidecar', 'true');
        }
        const mesh = target.mesh;
        this.node.addValidation({
          validate: () => {
            const ns = Chart.of(this).namespace ?? 'default';
            return mesh.admits(ns, 'default') ? [] : [`${subject}: 'target' (${target.serviceName}) must admit the load test's identity ${ns}/default `
              + `(it admits ${mesh.callers.join(', ')}). Fix: put the LoadTest in a chart whose namespace the target's allowFrom lists, or add MeshCaller.namespace('${ns}') to allowFrom`];
          },
        });
      }
      const ns = Chart.of(this).namespace ?? 'default';
      if (target.networkRefusal || target.admitsNamespace) {
        // The reason comes from lib/private/network-peers.ts namespaceRefusal, as IstioCanary's refusals do; an endpoint
        // that only answers admitsNamespace gets the bare refusal.
        const refusal = () => target.networkRefusal?.(ns)
          ?? (target.admitsNamespace?.(ns) === false ? `its servers' NetworkPolicy does not admit namespace '${ns}'` : undefined);
        this.node.addValidation({
          validate: () => {
            const why = refusal();
            return why === undefined ? [] : [`${subject}: 'target' (${target.serviceName}) must admit the load test's namespace '${ns}' `
              + `through the NetworkPolicy of its servers (${why}): the packets are dropped before any mesh rule is read. `
              + `Fix: add ${namespacePeerText(ns)} to networkPolicy.allowFrom of the target's servers, `
              + `or create the LoadTest in namespace '${target.serviceNamespace ?? 'default'}'`];
          },
        });
      }
      if (!sequence) this.networkPolicy = this.loadTestNetworkPolicy(props, labels, ns, upload !== undefined);
      ensureUniqueObjectNames(this);
      const args = ['run', '--quiet', ...(url ? ['-o', 'experimental-prometheus-rw'] : []), '/config/script.js'];
      // Each VU holds the requests of its current batch size: the REST body (JSON) and the gRPC request (JS numbers).
      const perVu = this.payload.exampleBytes() * last * 8;
      const memoryMiB = Math.max(512, Math.ceil((256 * 1048576 + concurrency * perVu) / (64 * 1048576)) * 64);
      if (memoryMiB > 16384) {
        fail(subject, 'concurrency', concurrency, `keep k6's memory within 16 GiB (about ${Math.round(perVu / 1048576)} MiB per user at batch size ${last})`,
          'lower concurrency or the largest batch size, or split the load test');
      }
      const containerProps: kplus.ContainerProps = {
        name: sequence ? this.name : 'k6',
        image: props.image ?? K6_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        // In a sequence a missed objective (exit 99) is a result, not a reason to skip the next variant: the summary
        // records it. Any other failure (the model never became AVAILABLE, a script error) stops the sequence.
        // With an upload, k6 ends before the uploader runs: its exit code waits in /results for the uploader to return.
        ...(sequence ? { command: ['sh', '-c', `k6 ${args.join(' ')}; code=$?; if [ "$code" -eq 99 ]; then exit 0; fi; exit "$code"`] }
          : upload ? { command: ['sh', '-c', `k6 ${args.join(' ')}; echo "$?" > /results/${this.name}.exit-code`] } : { args }),
        resources: {
          cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(1) },
          memory: { request: Size.mebibytes(memoryMiB), limit: Size.mebibytes(memoryMiB) },
        },
        securityContext: {
          ensureNonRoot: true, user: 12345, group: 12345, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
        },
      };
      const container = sequence || upload ? this.job.addInitContainer(containerProps) : this.job.addContainer(containerProps);
      const results = upload ? kplus.Volume.fromEmptyDir(this, 'ResultsVolume', sequence ? `${this.name}-results` : 'results', { sizeLimit: Size.mebibytes(16) }) : undefined;
      if (serviceAccountName) {
        addCheckedPatch(ApiObject.of(this.job), '/spec/template/spec/serviceAccountName', serviceAccountName);
      }
      if (url) {
        container.env.addVariable('K6_PROMETHEUS_RW_SERVER_URL', kplus.EnvValue.fromValue(url));
        container.env.addVariable('K6_PROMETHEUS_RW_TREND_STATS', kplus.EnvValue.fromValue('p(50),p(90),p(95),p(99),max'));
      }
      const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', kplus.ConfigMap.fromConfigMapName(this, 'ConfigRef', `${this.name}-k6`), { name: sequence ? `${this.name}-k6` : 'k6' });
      container.mount('/config', configVolume, { readOnly: true });
      container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'TmpVolume', sequence ? `${this.name}-tmp` : 'tmp', { sizeLimit: Size.mebibytes(64) }));
      if (upload) {
        container.mount('/results', results!);
        const uploaderProps: kplus.ContainerProps = {
          name: sequence ? `${this.name}-upload` : 'upload',
          image: props.image ?? K6_IMAGE,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['sh', '-c', sequence ? 'k6 run --quiet /config/upload.js'
            : `k6 run --quiet /config/upload.js || exit 1; exit "$(cat /results/${this.name}.exit-code)"`],
          resources: {
            cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(100) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) },
          },
          securityContext: {
            ensureNonRoot: true, user: 12345, group: 12345, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
          },
        };
        const uploader = sequence ? this.job.addInitContainer(uploaderProps) : this.job.addContainer(uploaderProps);
        uploader.mount('/config', configVolume, { readOnly: true });
        uploader.mount('/results', results!, { readOnly: true });
        uploader.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'UploadTmpVolume', sequence ? `${this.name}-upload-tmp` : 'upload-tmp', { sizeLimit: Size.mebibytes(16) }));
        if (!sequence) addCheckedPatch(ApiObject.of(this.job), '/spec/template/spec/initContainers/0/securityContext/capabilities', { drop: ['ALL'] });
      }
      if (!sequence) hardenPodTemplate(ApiObject.of(this.job));
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * No ingress; egress to DNS, to the target's pods on its serving ports (the Service's cluster IP is translated to
   * a pod address before NetworkPolicy applies; a sidecar connects to pod addresses itself), to istiod (15012) for
   * a sidecar, to the remote-write port, and for a summary upload to HTTPS and the GKE metadata server.
   */
  private loadTestNetworkPolicy(
    props: LoadTestProps, labels: Record<string, string>, namespace: string, uploads: boolean,
  ): kplus.k8s.KubeNetworkPolicy {
    const target = props.target;
    const tcp = tcpPort;
    const targetNs = target.serviceNamespace ?? namespace;
    const pods = target.selectorLabels ? { podSelector: { matchLabels: { ...target.selectorLabels } } } : {};
    const to = targetNs === namespace ? (target.selectorLabels ? [pods] : [{ podSelector: {} }]) : [{ ...namespacePeer(targetNs), ...pods }];
    const egress: kplus.k8s.NetworkPolicyEgressRule[] = [
      dnsEgress(),
      { to, ports: [tcp(target.grpcPort), tcp(target.restPort)] },
    ];
    if (target.mesh) egress.push({ to: [namespacePeer(props.istioNamespace ?? 'istio-system')], ports: [tcp(ISTIOD_XDS_PORT)] });
    const url = props.prometheusRemoteWriteUrl;
    if (url) {
      const m = /^(https?):\/\/[^/:]+(?::(\d+))?/.exec(url)!;
      egress.push({ ports: [tcp(m[2] ? Number(m[2]) : m[1] === 'https' ? 443 : 80)] });
    }
    if (uploads) {
      // The uploader writes to storage.googleapis.com with a Workload Identity token from the GKE metadata server.
      egress.push({ ports: [tcp(443)] });
      egress.push(gkeMetadataEgress());
    }
    // With a sidecar, the mesh's Prometheus scrapes Envoy's and the agent's metrics (15090, 15020); otherwise nothing
    // listens on the Job's pods and every ingress is refused.
    const ingress = target.mesh ? [{ ports: [tcp(SIDECAR_AGENT_PORT), tcp(ENVOY_METRICS_PORT)] }] : undefined;
    return new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.name, labels },
      // The Job's own label only: a LoadTest may share its name (the instance label) with a server.
      spec: { podSelector: { matchLabels: { [LOAD_TEST_LABEL]: this.name } }, policyTypes: ['Ingress', 'Egress'], ...(ingress ? { ingress } : {}), egress },
    });
  }

  /**
   * The warmup file for the model's export (`<version>/assets.extra/tf_serving_warmup_requests`): one PredictLog
   * record per batch size this test sends, built from the same payload, so that TF Serving runs those shapes before
   * it reports the version AVAILABLE (saved_model_warmup_util.cc).
   */
  public warmupRequests(): Buffer {
    return warmupRequestsFile(this.batchSizes.map((b) => this.payload.predictRecord(this.modelName, b)));
  }
}

/** JSON indented by 2, with arrays of plain values on one line (payload values would take a line each). */
function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.split(/,\n\s*/).join(', ')}]`);
}

/**
 * Reads one of the load test's static files from `k6/` next to this module: `lib/ops/k6` under ts-jest and tsx,
 * `build/ops/k6` once compiled (the compile task copies the folder, see .projenrc.ts). Read once per process.
 */
export function k6Asset(name: string): string {
  let text = k6Assets.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(__dirname, 'k6', name), 'utf8');
    k6Assets.set(name, text);
  }
  return text;
}
const k6Assets = new Map<string, string>();

/**
 * The smallest wire-compatible subset of TF Serving's prediction API (`k6/predict.proto`): the service path
 * (`/tensorflow.serving.PredictionService/Predict`) and the field numbers are those of
 * tensorflow_serving/apis/{prediction_service,predict,model}.proto and tensorflow/core/framework/
 * {tensor,tensor_shape}.proto; only the fields a load test sends or reads are declared.
 */
export function predictProto(): string {
  return k6Asset('predict.proto');
}

/**
 * The k6 script (`k6/load-test.js`): reads /config/loadtest.json; waits for the model, runs a warm-up and a measured
 * scenario per protocol × batch size, thresholds on the measured ones, and prints a JSON summary.
 */
export function k6Script(): string {
  return k6Asset('load-test.js');
}
