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
  /** `--grpc_max_threads`: concurrent gRPC calls admitted (see {@link grpcThreadsFor}). */
  readonly grpcMax: number;
  /** `num_batch_threads` in the batching parameters (used only with batching on). */
  readonly batch: number;
}

/**
 * The least `--grpc_max_threads`: calls that are not predictions (model status, metadata, reloads) and a
 * server without batching still need room for concurrent callers.
 */
export const GRPC_THREAD_FLOOR = 128;

/** One batch queue of a server: a model's batching parameters (TF Serving keeps one queue per loaded model version and signature). */
export interface BatchQueueSize {
  /** `max_batch_size`. */
  readonly maxBatchSize: number;
  /** `max_enqueued_batches`. */
  readonly maxEnqueuedBatches: number;
  /** `num_batch_threads` (the shared pool). */
  readonly numBatchThreads: number;
}

/**
 * `--grpc_max_threads` sized from the concurrency the server must admit, never from the CPU alone.
 *
 * server.cc BuildAndStart passes the flag to a gRPC `ResourceQuota::SetMaxThreads` on a synchronous
 * PredictionService: every in-flight call holds a thread until it answers, also while it waits in a batch queue,
 * and a call beyond the quota fails at once with RESOURCE_EXHAUSTED. The batch queues hold up to
 * `max_batch_size × max_enqueued_batches` requests each (one queue per loaded version), and the batch threads run
 * `num_batch_threads` batches of up to `max_batch_size` more: the cap is at least their sum, and at least
 * {@link GRPC_THREAD_FLOOR}.
 */
export function grpcThreadsFor(queues: readonly BatchQueueSize[]): number {
  return Math.max(GRPC_THREAD_FLOOR, batchAdmission(queues));
}

/**
 * Requests the batch queues admit at once: `Σ max_batch_size × max_enqueued_batches` over the queues plus
 * `num_batch_threads × max_batch_size` being processed (0 without batching).
 */
export function batchAdmission(queues: readonly BatchQueueSize[]): number {
  if (queues.length === 0) return 0;
  const queued = queues.reduce((sum, q) => sum + q.maxBatchSize * q.maxEnqueuedBatches, 0);
  const running = Math.max(...queues.map((q) => q.numBatchThreads * q.maxBatchSize));
  return queued + running;
}

/**
 * Derives thread counts from a CPU request in millicores. With C = the request rounded up to whole
 * cores (at least 1):
 *
 * - intra-op = C: one op may use every core the container owns;
 * - inter-op = ceil(C / 2), at least 1: leaves room for concurrent requests without oversubscribing;
 * - REST threads = 4 × C: TF Serving's own ratio (4 per CPU), applied to the request;
 * - gRPC max threads = {@link GRPC_THREAD_FLOOR}: a cap on admitted calls, not a pool (a TfServingModel raises it
 *   to what its batch queues admit, see {@link grpcThreadsFor});
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
    grpcMax: GRPC_THREAD_FLOOR,
    batch: cores,
  };
}
