import { Duration } from 'cdk8s';
import { BatchingConfig } from '../../lib';
import { parseBatchingParameters } from '../support/textproto';

test('resolves defaults: timeout 0, queue = batch threads', () => {
  const b = new BatchingConfig({ maxBatchSize: 16 });
  expect(b.batchTimeout.toMilliseconds()).toBe(0);
  expect(b.toParameters(4)).toEqual({
    maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedBatches: 4, numBatchThreads: 4,
    threadPoolName: undefined, enableLargeBatchSplitting: undefined, maxExecutionBatchSize: undefined, allowedBatchSizes: undefined,
    padVariableLengthInputs: undefined,
  });
});

test('sub-millisecond timeouts are kept in microseconds', () => {
  expect(new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.millis(0.5) }).batchTimeoutMicros).toBe(500);
  expect(new BatchingConfig({ maxBatchSize: 8, batchTimeout: Duration.seconds(1) }).batchTimeoutMicros).toBe(1_000_000);
});

test('renders every field; the allowed sizes are copied, not shared', () => {
  const sizes = [4, 8, 16];
  const b = new BatchingConfig({
    maxBatchSize: 16, batchTimeout: Duration.millis(3), maxEnqueuedBatches: 50, numBatchThreads: 2, threadPoolName: 'tfs_batch',
    enableLargeBatchSplitting: true, maxExecutionBatchSize: 8, allowedBatchSizes: sizes, padVariableLengthInputs: true,
  });
  sizes.push(99);
  expect(b.allowedBatchSizes).toEqual([4, 8, 16]);
  expect(parseBatchingParameters(b.render(7))).toEqual({
    max_batch_size: { value: 16 }, batch_timeout_micros: { value: 3000 }, max_enqueued_batches: { value: 50 }, num_batch_threads: { value: 2 },
    thread_pool_name: { value: 'tfs_batch' }, enable_large_batch_splitting: { value: true }, max_execution_batch_size: { value: 8 },
    allowed_batch_sizes: [4, 8, 16], pad_variable_length_inputs: true,
  });
});

test('rules at construction, with the BatchingConfig subject', () => {
  expect(() => new BatchingConfig({ maxBatchSize: 16, numBatchThreads: 0 })).toThrow(
    "BatchingConfig: 'numBatchThreads' (0) must be an integer of at least 1. Fix: use at least 1 batch thread (commonly the number of CPU cores, or the number of GPUs)");
  expect(() => new BatchingConfig({ maxBatchSize: 16, batchTimeout: Duration.millis(0.0001) })).toThrow(
    "BatchingConfig: 'batchTimeout' (\"0.1µs\") must be a whole number of microseconds, zero or more. Fix: use e.g. Duration.millis(2)");
});
