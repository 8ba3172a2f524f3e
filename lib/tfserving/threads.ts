/**
 * Thread counts for one TF Serving container.
 *
 * TF Serving sizes its thread pools from the CPUs it *sees*, which inside a container is every core of
 * the node, not the container's share: a 4-core request on a 96-core node would run 96 intra-op
 * threads and 384 REST threads, and throttle. So every pool is sized from the CPU request instead.
 */
export interface ThreadSettings {
  /** `--tensorflow_intra_op_parallelism`: threads that parallelize one op. */
  readonly intraOp: number;
  /** `--tensorflow_inter_op_parallelism`: ops that run at the same time. */
  readonly interOp: number;
  /** `--rest_api_num_threads`. */
  readonly restApi: number;
  /** `--grpc_max_threads`. */
  readonly grpcMax: number;
  /** `num_batch_threads` in the batching parameters (used only with batching on). */
  readonly batch: number;
}

/**
 * Derives thread counts from a CPU request in millicores. With C = the request rounded up to whole
 * cores (at least 1):
 *
 * - intra-op = C: one op may use every core the container owns;
 * - inter-op = ceil(C / 2), at least 1: leaves room for concurrent requests without oversubscribing;
 * - REST threads = gRPC max threads = 4 × C: TF Serving's own ratio (4 per CPU), applied to the request;
 * - batch threads = C: the batching guide's advice for CPU serving (one batch per core at a time).
 *
 * Session parallelism is never derived (setting it with intra- and inter-op stops the server).
 */
export function deriveThreads(cpuMillis: number): ThreadSettings {
  const cores = Math.max(1, Math.ceil(cpuMillis / 1000));
  return {
    intraOp: cores,
    interOp: Math.max(1, Math.ceil(cores / 2)),
    restApi: 4 * cores,
    grpcMax: 4 * cores,
    batch: cores,
  };
}
