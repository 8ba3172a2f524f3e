/**
 * The Prometheus names of the metrics the model server exports on `--monitoring_config_file`'s path.
 *
 * TF Serving registers its metrics under slash paths (`/tensorflow/serving/request_count`) and its Prometheus exporter
 * rewrites every character outside `[a-zA-Z0-9_]` to `:` (tensorflow_serving/util/prometheus_exporter.cc,
 * GetPrometheusMetricName), so the scraped names start with a colon. Counters keep their name (no `_total` suffix);
 * Samplers become histograms with `_bucket{le=…}`, `_sum` and `_count` series (SerializeHistogram).
 */

/** A TF Serving metric path rendered the way the server's Prometheus exporter renders it. */
export function prometheusMetricName(path: string): string {
  // prometheus_exporter.cc GetPrometheusMetricName: [^a-zA-Z0-9_] → ':'; a leading digit gets a '_' prefix.
  const name = path.replace(/[^a-zA-Z0-9_]/g, ':');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** The TF Serving (and TensorFlow) metrics the autoscalers, dashboards and alerts read. */
export const TF_SERVING_METRICS = {
  /**
   * Counter of requests by `model_name` and `status` (the canonical gRPC code name: `OK`, `NOT_FOUND`, …).
   * tensorflow_serving/servables/tensorflow/util.cc, `model_request_status_count_total`, RecordModelRequestCount.
   */
  requestCount: prometheusMetricName('/tensorflow/serving/request_count'),
  /**
   * Histogram of request wall time in microseconds by `model_name`, `API` and `entrypoint`
   * (util.cc `request_latency`, buckets 10 × 1.8^i, 33 buckets).
   */
  requestLatency: prometheusMetricName('/tensorflow/serving/request_latency'),
  /**
   * Histogram of the time a task waits in the batching queue, microseconds, by `thread_pool_name`
   * (tensorflow_serving/batching/batching_session.cc `queuing_latency`, buckets 100 × 1.2^i, 52 buckets ≈ 1 s).
   */
  batchQueueingLatency: prometheusMetricName('/tensorflow/serving/batching_session/queuing_latency'),
  /** Histogram of executed batch sizes (batching_util.h RecordProcessedBatchSize, task name `batching_session`). */
  processedBatchSize: prometheusMetricName('/tensorflow/serving/batching_session/processed_batch_size'),
  /** Histogram of input batch sizes (batching_util.h RecordInputBatchSize). */
  inputBatchSize: prometheusMetricName('/tensorflow/serving/batching_session/input_batch_size'),
  /**
   * Counter of SavedModel loads by `model_path` (the version directory) and `status` (`success` / `fail`)
   * (tensorflow/cc/saved_model/loader.cc `load_attempt_count`).
   */
  loadAttemptCount: prometheusMetricName('/tensorflow/cc/saved_model/load_attempt_count'),
} as const;

/**
 * NVIDIA DCGM exporter gauges (dcgm-exporter's default counters; GKE's managed DCGM package exports the same names).
 * The exporter labels each GPU with the `pod`, `namespace` and `container` that holds it; a Prometheus that does not
 * honor the exporter's labels (ServiceMonitor / PodMonitoring default) renames them `exported_pod`,
 * `exported_namespace`, `exported_container`.
 */
export const DCGM_METRICS = {
  /** GPU utilization, percent of time a kernel ran. */
  gpuUtilization: 'DCGM_FI_DEV_GPU_UTIL',
  /** Framebuffer (GPU) memory used, MiB. */
  memoryUsed: 'DCGM_FI_DEV_FB_USED',
  /** Framebuffer (GPU) memory free, MiB. */
  memoryFree: 'DCGM_FI_DEV_FB_FREE',
} as const;
