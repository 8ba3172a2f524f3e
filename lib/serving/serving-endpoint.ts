import { BatchingConfig } from './batching-config';
import type { GrpcTls } from './grpc-tls';

/** Who a mesh-protected endpoint admits (its AuthorizationPolicy). */
export interface IMeshAdmission {
  /** The admitted callers, for messages, e.g. `ns/apps`. */
  readonly callers: string[];
  /** Whether a caller running as `namespace/serviceAccount`, with a sidecar, is admitted. */
  admits(namespace: string, serviceAccount: string): boolean;
}

/**
 * A Service that answers TF Serving's gRPC and REST APIs: a TfServingModel, or a canary Service in front
 * of two of them. Load tests and traffic routing target it.
 */
export interface IServingEndpoint {
  /** The Service's name (its host inside the namespace). */
  readonly serviceName: string;
  /** The namespace of the Service, when the chart sets one. */
  readonly serviceNamespace?: string;
  /** gRPC port of the Service. */
  readonly grpcPort: number;
  /** REST port of the Service. */
  readonly restPort: number;
  /** Names of the models the endpoint serves. */
  readonly modelNames: string[];
  /** Server-level batching behind the endpoint, if any (a request larger than its batch size is rejected). */
  readonly batching?: BatchingConfig;
  /**
   * `--grpc_max_threads` of each replica: concurrent gRPC calls one replica admits before it answers
   * RESOURCE_EXHAUSTED (load tests stay below it).
   *
   * @default - unknown; not checked
   */
  readonly grpcMaxThreads?: number;
  /**
   * TLS on the gRPC port (TfServingModel `grpcTls`): gRPC callers must speak TLS; REST stays plaintext.
   *
   * @default - plaintext gRPC
   */
  readonly grpcTls?: GrpcTls;
  /** Set when the endpoint accepts only mTLS callers with a listed identity (an Istio mesh). */
  readonly mesh?: IMeshAdmission;
  /** Labels that select the serving pods, for callers' egress NetworkPolicies. */
  readonly selectorLabels?: Record<string, string>;
  /**
   * Whether the NetworkPolicies of the serving pods admit pods of `namespace` to the serving ports: `true` or
   * `false` when certain, `undefined` when it depends on labels or addresses (or there is no policy: `true`).
   */
  admitsNamespace?(namespace: string): boolean | undefined;
  /**
   * Why the NetworkPolicies of the serving pods refuse pods of `namespace` to the serving ports, in the words every
   * refusal uses (`the NetworkPolicy of TfServingModel 'resnet' does not admit namespace 'perf' to ports 8500/8501`,
   * plus why ipBlock peers did not count); undefined unless the refusal is certain.
   */
  networkRefusal?(namespace: string): string | undefined;
}
