import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { fail, subjectOf } from '../core/errors';
import { bucketOf, HTTP_URL, isBucketName } from '../core/names';
import { IamPolicyMember } from '../imports/iam.cnrm.cloud.google.com';
import { addCheckedPatch } from '../private/checked-patch';
import { lazyValue } from '../private/lazy';
import { gkeMetadataEgress, namespacePeer, tcpPort } from '../private/network-peers';
import { GcsAccess } from '../serving/gcs-access';
import type { TfServingModel } from '../serving/tf-serving-model';

/**
 * KServe's agent (github.com/kserve/kserve, cmd/agent), release v0.20.0: a reverse proxy in front of the REST port
 * that sends each request and each 200 response as a CloudEvent to `--log-url`. The release workflow
 * (.github/workflows/agent-docker-publish.yml) pushes `kserve/agent:<git tag>`.
 */
export const KSERVE_AGENT_IMAGE = 'kserve/agent:v0.20.0';
/**
 * Vector (github.com/vectordotdev/vector), release v0.57.0: receives the agent's CloudEvents, samples them and
 * writes them to the sink. scripts/build-docker.sh tags `timberio/vector:<version>-<base>`.
 */
export const VECTOR_IMAGE = 'timberio/vector:0.57.0-distroless-libc';

/** The agent's listening port (KServe's default, `--port 9081`); the Service's REST port targets it. */
export const CAPTURE_AGENT_PORT = 9081;
/** Where the collector listens for the agent's CloudEvents (loopback only). */
export const CAPTURE_COLLECTOR_PORT = 9090;

/** A protocol a model server answers on. */
export class CaptureProtocol {
  /** REST (HTTP/1.1 JSON, port 8501): captured by KServe's agent. */
  public static readonly REST = new CaptureProtocol('REST');
  /** gRPC (HTTP/2, port 8500): not captured (the agent proxies HTTP/1.1 only). */
  public static readonly GRPC = new CaptureProtocol('GRPC');
  private constructor(/** The protocol's name. */ public readonly name: string) {}
}

/** Options of {@link CaptureSink.gcs}. */
export interface GcsCaptureSinkOptions {
  /**
   * The identity the collector writes with: `workloadIdentity.gcsAccess()` for the server's ServiceAccount (the
   * collector runs in the server's pods, so it has the server's identity). Its Google service account gets
   * `roles/storage.objectCreator` on the bucket.
   */
  readonly access: GcsAccess;
}

/** Options of {@link CaptureSink.http}. */
export interface HttpCaptureSinkOptions {
  /**
   * The port the server's pods connect to, for their NetworkPolicy. A NetworkPolicy matches the destination pod's
   * port after the Service's translation: give the target port when the URL names a Service port that differs.
   *
   * @default - the URL's port (80 for http, 443 for https)
   */
  readonly port?: number;
  /**
   * Who the collector may reach on that port, as NetworkPolicy peers.
   *
   * @default - pods in the namespace of an in-cluster URL (`http://NAME.NAMESPACE.svc…`), any address otherwise
   */
  readonly peers?: kplus.k8s.NetworkPolicyPeer[];
}

/** Where captured requests and responses go. */
export class CaptureSink {
  /**
   * Cloud Storage, written by Vector with the pod's Workload Identity, one object per batch under
   * `PREFIX/model=MODEL/version=VERSION/date=YYYY-MM-DD/` (gzipped newline-delimited JSON).
   *
   * @param uri `gs://BUCKET` or `gs://BUCKET/PREFIX`
   */
  public static gcs(uri: string, options: GcsCaptureSinkOptions): CaptureSink {
    const bucket = uri.startsWith('gs://') ? bucketOf(uri) : '';
    if (!isBucketName(bucket)) {
      fail('CaptureSink.gcs', 'uri', uri, 'be gs://BUCKET or gs://BUCKET/PREFIX with a Cloud Storage bucket name', 'pass \'gs://acme-capture/requests\'');
    }
    if (options.access.kind !== 'workload-identity') {
      fail('CaptureSink.gcs', 'access', `GcsAccess.${options.access.kind}`, 'be Workload Identity (the collector authenticates through the GKE metadata server)',
        'pass access: workloadIdentity.gcsAccess()');
    }
    const prefix = uri.slice(`gs://${bucket}`.length).replace(/^\/+|\/+$/g, '');
    return new CaptureSink('gcs', uri, bucket, prefix, options.access, undefined, {});
  }

  /**
   * An HTTP endpoint that receives POSTs of newline-delimited JSON records (the same records as the GCS objects).
   *
   * @param url `http://…` or `https://…`
   */
  public static http(url: string, options: HttpCaptureSinkOptions = {}): CaptureSink {
    if (!HTTP_URL.test(url)) fail('CaptureSink.http', 'url', url, 'be an http:// or https:// URL', 'pass \'http://capture.ml-data.svc.cluster.local:8080/\'');
    return new CaptureSink('http', url, undefined, undefined, undefined, url, options);
  }

  private constructor(
    /** `gcs` or `http`. */
    public readonly kind: 'gcs' | 'http',
    /** The URI or URL as given. */
    public readonly uri: string,
    /** For GCS: the bucket. */
    public readonly bucket: string | undefined,
    /** For GCS: the object prefix (no leading or trailing '/'). */
    public readonly prefix: string | undefined,
    /** For GCS: the identity. */
    public readonly access: GcsAccess | undefined,
    /** For HTTP: the URL. */
    public readonly url: string | undefined,
    private readonly httpOptions: HttpCaptureSinkOptions,
  ) {}

  /** The egress rules the collector needs to reach this sink. */
  public egressRules(): kplus.k8s.NetworkPolicyEgressRule[] {
    const tcp = tcpPort;
    if (this.kind === 'gcs') {
      return [
        // storage.googleapis.com over HTTPS (Google front ends: no fixed address range to name).
        { ports: [tcp(443)] },
        // Workload Identity tokens from the GKE metadata server.
        gkeMetadataEgress(),
      ];
    }
    const u = new URL(this.url!);
    const port = this.httpOptions.port ?? (u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80);
    const inCluster = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
    const peers = this.httpOptions.peers
      ?? (inCluster ? [namespacePeer(inCluster[1])] : undefined);
    return [{ ...(peers ? { to: peers } : {}), ports: [tcp(port)] }];
  }
}

/** Properties of {@link RequestCapture}. */
export interface RequestCaptureProps {
  /** The server whose REST traffic is captured. It must serve exactly one model (the agent does not record the URL). */
  readonly target: TfServingModel;
  /** Where the records go. */
  readonly sink: CaptureSink;
  /**
   * Share of calls kept, in percent (0 < p ≤ 100). A call's request and response are kept or dropped together
   * (Vector's `sample` transform hashes the CloudEvent id).
   *
   * @default 10
   */
  readonly samplePercent?: number;
  /**
   * Largest request or response body kept; a larger one is dropped (its call is then left out by the converter).
   *
   * @default Size.mebibytes(1)
   */
  readonly maxBodySize?: Size;
  /**
   * The protocols to capture. Only REST can be captured: KServe's agent is an HTTP/1.1 reverse proxy.
   *
   * @default [CaptureProtocol.REST]
   */
  readonly protocols?: CaptureProtocol[];
  /**
   * The version label of the partition (`version=…`); digits also fill `ModelSpec.version` in the converted logs.
   *
   * @default - the server's name (one TfServingModel per model version, as in canary set-ups)
   */
  readonly version?: string;
}

/**
 * Request and response capture for continuous training and skew detection, off unless declared for a server.
 *
 * Adds two containers to the server's pods: KServe's agent (`kserve/agent`), a reverse proxy that the Service's
 * REST port now targets (port 9081; it forwards to TF Serving's REST port) and that sends every request and every
 * 200 response as a CloudEvent to a loopback collector; and Vector (`timberio/vector`), which samples the calls,
 * drops bodies over the cap and writes newline-delimited JSON records to Cloud Storage (Workload Identity) or to an
 * HTTP endpoint. A second NetworkPolicy for the server's pods admits the agent port and the egress to the sink.
 *
 * What is captured: REST calls through the server's Service (gRPC, and REST sent to a pod's 8501 directly or
 * through another Service, pass uncaptured). Payloads may hold personal data.
 */
export class RequestCapture extends Construct {
  /** The agent container. */
  public readonly agent: kplus.Container;
  /** The collector container. */
  public readonly collector: kplus.Container;
  /** The collector's configuration (`vector.json`). */
  public readonly configMap: kplus.k8s.KubeConfigMap;
  /** The collector's Vector configuration. */
  public readonly collectorConfig: Record<string, unknown>;
  /**
   * The NetworkPolicy that admits the agent port (from the peers the server's REST port admits) and the collector's
   * egress to the sink, when the server has a NetworkPolicy.
   */
  public readonly networkPolicy?: kplus.k8s.KubeNetworkPolicy;
  /** The `roles/storage.objectCreator` binding on the bucket (GCS sinks). */
  public readonly bucketWriter?: IamPolicyMember;
  /** The model whose calls are captured. */
  public readonly modelName: string;
  /** The partition's version label. */
  public readonly version: string;

  constructor(scope: Construct, id: string, props: RequestCaptureProps) {
    super(scope, id);
    const subject = subjectOf('RequestCapture', id);
    const model = props.target;
    const protocols = props.protocols ?? [CaptureProtocol.REST];
    const grpc = protocols.filter((p) => p !== CaptureProtocol.REST);
    if (grpc.length > 0 || protocols.length === 0) {
      // cmd/agent/main.go (buildServer): httputil.NewSingleHostReverseProxy to 127.0.0.1:--component-port over HTTP/1.1;
      // pkg/logger/handler.go reads whole HTTP bodies. gRPC calls go to TF Serving's own port 8500 and are never seen.
      fail(subject, 'protocols', protocols.map((p) => p.name), 'be [\'REST\']: KServe\'s agent proxies HTTP/1.1 REST only, so gRPC calls would pass uncaptured',
        'capture REST only (protocols: [CaptureProtocol.REST]), and send the calls you need captured over REST');
    }
    const percent = props.samplePercent ?? 10;
    if (!(percent > 0 && percent <= 100)) fail(subject, 'samplePercent', percent, 'be more than 0 and at most 100', 'use e.g. 10');
    const maxBytes = (props.maxBodySize ?? Size.mebibytes(1)).toKibibytes() * 1024;
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1024)) {
      fail(subject, 'maxBodySize', `${maxBytes} bytes`, 'be a whole number of KiB, at least 1 KiB', 'use Size.mebibytes(1)');
    }
    const models = model.modelNames;
    if (models.length !== 1) {
      fail(subject, 'target', `${model.name} serving ${JSON.stringify(models)}`,
        'serve exactly one model: the agent records bodies, not the URL, so calls to different models could not be told apart',
        'capture a TfServingModel that serves one model (one server per captured model)');
    }
    if (captured.has(model)) {
      fail(subject, 'target', model.name, 'not be captured twice (its REST port has one agent in front of it)',
        'declare one RequestCapture per server');
    }
    captured.add(model);
    this.modelName = models[0];
    this.version = props.version ?? model.name;
    if (!/^[A-Za-z0-9._-]+$/.test(this.version)) fail(subject, 'version', this.version, 'be letters, digits, \'.\', \'_\' or \'-\' (it becomes part of object names)', 'use e.g. \'v2\'');
    this.node.addValidation({
      validate: () => (model.modelNames.length === 1 ? [] : [`${subject}: 'target' (${model.name}) must serve exactly one model, but models were added after the capture was declared`]),
    });

    const namespace = model.serviceNamespace;
    this.collectorConfig = vectorConfig(props.sink, {
      model: this.modelName, version: this.version, server: model.name, namespace, ratio: percent / 100, maxBytes,
    });
    this.configMap = new kplus.k8s.KubeConfigMap(this, 'CollectorConfig', {
      metadata: { name: `${model.name}-capture`, labels: model.selectorLabels },
      data: { 'vector.json': `${JSON.stringify(this.collectorConfig, null, 2)}\n` },
    });

    const security = { ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false };
    this.agent = model.deployment.addContainer({
      name: 'capture-agent',
      image: KSERVE_AGENT_IMAGE,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: [
        '--port', String(CAPTURE_AGENT_PORT),
        '--component-port', String(model.restPort),
        '--log-url', `http://127.0.0.1:${CAPTURE_COLLECTOR_PORT}/`,
        '--log-mode', 'all',
        '--inference-service', this.modelName,
        '--component', this.version,
        ...(namespace ? ['--namespace', namespace] : []),
      ],
      envVariables: {
        // Required by the agent (envconfig `required:"true"` in cmd/agent/main.go): the probe it runs against the
        // server before answering its own readiness probe (what KServe's webhook derives from the model's probe).
        SERVING_READINESS_PROBE: kplus.EnvValue.fromValue(JSON.stringify({
          httpGet: { path: `/v1/models/${this.modelName}`, port: model.restPort, scheme: 'HTTP' }, timeoutSeconds: 3, periodSeconds: 5, failureThreshold: 3,
        })),
      },
      ports: [{ name: 'capture', number: CAPTURE_AGENT_PORT, protocol: kplus.Protocol.TCP }],
      // The agent answers probes carrying K-Network-Probe by probing the server (knative's health.ProbeHandler).
      readiness: kplus.Probe.fromHttpGet('/', { port: CAPTURE_AGENT_PORT, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(3) }),
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(100), limit: Size.gibibytes(1) },
      },
      securityContext: security,
    });
    this.collector = model.deployment.addContainer({
      name: 'capture-collector',
      image: VECTOR_IMAGE,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: ['--config', '/etc/vector/vector.json'],
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
      },
      securityContext: security,
    });
    this.collector.mount('/etc/vector', kplus.Volume.fromConfigMap(this, 'CollectorConfigVolume',
      kplus.ConfigMap.fromConfigMapName(this, 'CollectorConfigRef', `${model.name}-capture`), { name: 'capture-config' }), { readOnly: true });
    this.collector.mount('/var/lib/vector', kplus.Volume.fromEmptyDir(this, 'CollectorDataVolume', 'capture-data', { sizeLimit: Size.mebibytes(256) }));

    const deployment = ApiObject.of(model.deployment);
    model.deployment.containers.forEach((c, i) => {
      if (c !== this.agent && c !== this.collector) return;
      addCheckedPatch(deployment, `/spec/template/spec/containers/${i}/securityContext/capabilities`, { drop: ['ALL'] });
      addCheckedPatch(deployment, `/spec/template/spec/containers/${i}/securityContext/seccompProfile`, { type: 'RuntimeDefault' });
    });
    // The agent's readiness probe must carry K-Network-Probe (KServe's agent injector sets the same header).
    const agentIndex = model.deployment.containers.indexOf(this.agent);
    addCheckedPatch(deployment, `/spec/template/spec/containers/${agentIndex}/readinessProbe/httpGet/httpHeaders`, [{ name: 'K-Network-Probe', value: 'queue' }]);

    // The Service's REST port now goes through the agent.
    const httpIndex = model.service.ports.findIndex((p) => p.port === model.restPort);
    ApiObject.of(model.service).addJsonPatch(JsonPatch.replace(`/spec/ports/${httpIndex}/targetPort`, kplus.k8s.IntOrString.fromNumber(CAPTURE_AGENT_PORT)));

    if (model.networkPolicy) {
      // A second policy for the same pods, as for the Istio sidecar (NetworkPolicies add up): the server's own policy
      // stays as TfServingModel renders it. The agent port admits the peers the server's REST port admits.
      const tcp = tcpPort;
      const serverPolicy = model.networkPolicy;
      this.networkPolicy = new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: { name: `${model.name}-capture`, labels: model.selectorLabels },
        spec: {
          podSelector: { matchLabels: model.selectorLabels },
          policyTypes: ['Ingress', 'Egress'],
          ingress: lazyValue(() => {
            const rules: any[] = serverPolicy.toJson().spec?.ingress ?? [];
            const rest = rules.find((r) => (r.ports ?? []).some((p: any) => p.port === model.restPort));
            return [{ ports: [tcp(CAPTURE_AGENT_PORT)], ...(rest?.from ? { from: rest.from } : {}) }];
          }),
          egress: props.sink.egressRules(),
        },
      });
    }

    if (props.sink.kind === 'gcs') {
      const access = props.sink.access!;
      const email = access.googleServiceAccount!;
      const annotation = 'iam.gke.io/gcp-service-account';
      const current = model.serviceAccount.metadata.toJson().annotations?.[annotation];
      if (current !== undefined && current !== email) {
        fail(subject, 'sink.access', email, `be the Google service account of the server's ServiceAccount (${current}): the collector runs in the server's pods`,
          'pass the same Workload Identity as the server\'s gcsAccess');
      }
      if (current === undefined) model.serviceAccount.metadata.addAnnotation(annotation, email);
      const binding = access.binding;
      if (binding && binding.serviceAccountName !== model.serviceAccount.name) {
        fail(subject, 'sink.access', `WorkloadIdentity for ${binding.namespace}/${binding.serviceAccountName}`,
          `bind the server's own ServiceAccount (${model.serviceAccount.name}): the collector runs in the server's pods`,
          `create the WorkloadIdentity with serviceAccountName '${model.serviceAccount.name}'`);
      }
      this.bucketWriter = new IamPolicyMember(this, 'BucketWriter', {
        metadata: { name: `${model.name}-capture-writer` },
        spec: {
          member: `serviceAccount:${email}`,
          // objectCreator: create objects, nothing else (no read, list or overwrite).
          role: 'roles/storage.objectCreator',
          resourceRef: { kind: 'StorageBucket', external: props.sink.bucket! },
        },
      });
    }
  }
}

const captured = new WeakSet<TfServingModel>();

interface RecordFields {
  readonly model: string;
  readonly version: string;
  readonly server: string;
  readonly namespace?: string;
  readonly ratio: number;
  readonly maxBytes: number;
}

/** The Vector configuration: CloudEvents in over loopback HTTP, one record per event, sampled by call, to the sink. */
export function vectorConfig(sink: CaptureSink, f: RecordFields): Record<string, unknown> {
  // Binary-mode CloudEvents (pkg/logger/worker.go: cloudevents.WithEncodingBinary): the body is the payload and
  // the attributes are ce-* headers; the http_server source stores listed headers as fields named after them.
  const vrl = [
    // length() of a string is its byte count (vrl src/stdlib/length.rs); abort drops the event (drop_on_abort).
    'body = string!(.message)',
    `if length(body) > ${f.maxBytes} { abort }`,
    'kind = "request"',
    'if ends_with(string!(."ce-type"), ".response") { kind = "response" }',
    '. = {',
    '  "id": string!(."ce-id"),',
    '  "kind": kind,',
    '  "time": ."ce-time",',
    '  "timestamp": .timestamp,',
    `  "model": ${JSON.stringify(f.model)},`,
    `  "version": ${JSON.stringify(f.version)},`,
    `  "server": ${JSON.stringify(f.server)},`,
    ...(f.namespace ? [`  "namespace": ${JSON.stringify(f.namespace)},`] : []),
    `  "sampleRate": ${f.ratio},`,
    '  "body": body',
    '}',
  ].join('\n');
  const transforms: Record<string, unknown> = {
    record: { type: 'remap', inputs: ['agent'], source: vrl, drop_on_error: true, drop_on_abort: true },
  };
  let last = 'record';
  if (f.ratio < 1) {
    // key_field: a call's request and response share the CloudEvent id, so they are kept or dropped together
    // (src/transforms/sample: the key's seahash against ratio × u64::MAX). The record has sampleRate already.
    transforms.sample = { type: 'sample', inputs: ['record'], ratio: f.ratio, key_field: 'id', sample_rate_key: '' };
    last = 'sample';
  }
  const common = {
    inputs: [last],
    encoding: { codec: 'json' },
    framing: { method: 'newline_delimited' },
    batch: { timeout_secs: 60, max_bytes: 10_000_000 },
    // objectCreator cannot read bucket metadata, which the health check asks for.
    healthcheck: { enabled: false },
  };
  const sinks = sink.kind === 'gcs'
    ? {
      capture: {
        type: 'gcp_cloud_storage', ...common, bucket: sink.bucket,
        key_prefix: `${sink.prefix ? `${sink.prefix}/` : ''}model=${f.model}/version=${f.version}/date=%F/`,
        compression: 'gzip',
      },
    }
    : { capture: { type: 'http', ...common, uri: sink.url, method: 'post' } };
  return {
    data_dir: '/var/lib/vector',
    api: { enabled: false },
    sources: {
      agent: {
        type: 'http_server', address: `127.0.0.1:${CAPTURE_COLLECTOR_PORT}`, path: '/', method: 'POST',
        headers: ['ce-id', 'ce-type', 'ce-time'], decoding: { codec: 'bytes' }, framing: { method: 'bytes' },
      },
    },
    transforms,
    sinks,
  };
}
