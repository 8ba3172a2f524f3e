import { DCGM_METRICS, TF_SERVING_METRICS, prometheusMetricName } from '../../lib/tfserving';

test('renders metric paths as the server\'s Prometheus exporter does (every non-word character becomes a colon)', () => {
  expect(prometheusMetricName('/tensorflow/serving/request_count')).toBe(':tensorflow:serving:request_count');
  expect(prometheusMetricName('/tensorflow/serving/batching_session/queuing_latency')).toBe(':tensorflow:serving:batching_session:queuing_latency');
  expect(prometheusMetricName('a.b-c')).toBe('a:b:c');
  expect(prometheusMetricName('9lives')).toBe('_9lives');
});

test('the names the autoscaler, dashboards and alerts read', () => {
  expect(TF_SERVING_METRICS).toEqual({
    requestCount: ':tensorflow:serving:request_count',
    requestLatency: ':tensorflow:serving:request_latency',
    batchQueueingLatency: ':tensorflow:serving:batching_session:queuing_latency',
    processedBatchSize: ':tensorflow:serving:batching_session:processed_batch_size',
    inputBatchSize: ':tensorflow:serving:batching_session:input_batch_size',
    loadAttemptCount: ':tensorflow:cc:saved_model:load_attempt_count',
  });
  expect(DCGM_METRICS.gpuUtilization).toBe('DCGM_FI_DEV_GPU_UTIL');
  expect(DCGM_METRICS.memoryUsed).toBe('DCGM_FI_DEV_FB_USED');
});
