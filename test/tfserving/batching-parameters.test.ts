import { renderBatchingParameters, validateBatchingParameters } from '../../lib/tfserving/batching-parameters';
import { parseBatchingParameters } from '../support/textproto';

const S = 'BatchingConfig';

describe('renderBatchingParameters', () => {
  test('every field, scalar fields as wrapper messages', () => {
    const text = renderBatchingParameters({
      maxBatchSize: 64, batchTimeoutMicros: 2000, maxEnqueuedBatches: 100, numBatchThreads: 4, threadPoolName: 'pool',
      enableLargeBatchSplitting: true, maxExecutionBatchSize: 32, allowedBatchSizes: [8, 16, 32], padVariableLengthInputs: true,
    });
    expect(text).toBe([
      'max_batch_size { value: 64 }',
      'batch_timeout_micros { value: 2000 }',
      'max_enqueued_batches { value: 100 }',
      'num_batch_threads { value: 4 }',
      'thread_pool_name { value: "pool" }',
      'enable_large_batch_splitting { value: true }',
      'max_execution_batch_size { value: 32 }',
      'allowed_batch_sizes: 8',
      'allowed_batch_sizes: 16',
      'allowed_batch_sizes: 32',
      'pad_variable_length_inputs: true',
      '',
    ].join('\n'));
    expect(parseBatchingParameters(text)).toEqual({
      max_batch_size: { value: 64 }, batch_timeout_micros: { value: 2000 }, max_enqueued_batches: { value: 100 },
      num_batch_threads: { value: 4 }, thread_pool_name: { value: 'pool' }, enable_large_batch_splitting: { value: true },
      max_execution_batch_size: { value: 32 }, allowed_batch_sizes: [8, 16, 32], pad_variable_length_inputs: true,
    });
  });

  test('unset fields are left out (TF Serving defaults apply)', () => {
    expect(renderBatchingParameters({ maxBatchSize: 8 })).toBe('max_batch_size { value: 8 }\n');
  });
});

describe('validateBatchingParameters rules', () => {
  test('accepts a valid set', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 32, allowedBatchSizes: [8, 16, 32], numBatchThreads: 1, batchTimeoutMicros: 0 }))
      .not.toThrow();
    expect(() => validateBatchingParameters(S, {
      maxBatchSize: 64, enableLargeBatchSplitting: true, maxExecutionBatchSize: 32, allowedBatchSizes: [16, 32, 64],
    })).not.toThrow();
  });

  test('allowed batch sizes strictly increasing', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 32, allowedBatchSizes: [16, 8, 32] })).toThrow(
      "BatchingConfig: 'allowedBatchSizes' ([16, 8, 32]) must be strictly increasing (8 follows 16). Fix: sort the sizes in increasing order and remove repeats");
    expect(() => validateBatchingParameters(S, { maxBatchSize: 32, allowedBatchSizes: [8, 8, 32] })).toThrow('must be strictly increasing (8 follows 8)');
  });

  test('last allowed batch size equals maxBatchSize', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 32, allowedBatchSizes: [8, 16] }, 'batching')).toThrow(
      "BatchingConfig: 'batching.allowedBatchSizes' ([8, 16]) must end with maxBatchSize (32). Fix: make the last size 32, e.g. [8, 16, 32]");
  });

  test('with large-batch splitting the last allowed size still equals maxBatchSize (bundle_factory_util.cc WrapSessionForBatching)', () => {
    // The case: [16, 32, 64] for max 64 / max-execution 32 loads; [16, 32] fails every model load.
    expect(() => validateBatchingParameters(S, {
      maxBatchSize: 64, enableLargeBatchSplitting: true, maxExecutionBatchSize: 32, allowedBatchSizes: [16, 32, 64],
    })).not.toThrow();
    expect(() => validateBatchingParameters(S, {
      maxBatchSize: 64, enableLargeBatchSplitting: true, maxExecutionBatchSize: 32, allowedBatchSizes: [16, 32],
    })).toThrow(
      "BatchingConfig: 'allowedBatchSizes' ([16, 32]) must end with maxBatchSize (64), also with enableLargeBatchSplitting (TF Serving compares the last size "
      + 'with max_batch_size, not with maxExecutionBatchSize). Fix: make the last size 64, e.g. [16, 32, 64]');
  });

  test('allowed batch sizes positive integers', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 32, allowedBatchSizes: [0, 32] })).toThrow(
      "BatchingConfig: 'allowedBatchSizes' ([0, 32]) must hold integers of at least 1. Fix: list batch sizes such as [8, 16, 32]");
  });

  test('batch threads >= 1', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 8, numBatchThreads: 0 })).toThrow(
      "BatchingConfig: 'numBatchThreads' (0) must be an integer of at least 1. Fix: use at least 1 batch thread (commonly the number of CPU cores, or the number of GPUs)");
  });

  test('maxBatchSize and maxEnqueuedBatches >= 1', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 0 })).toThrow(
      "BatchingConfig: 'maxBatchSize' (0) must be an integer of at least 1. Fix: set the largest batch the model can take, e.g. 32");
    expect(() => validateBatchingParameters(S, { maxBatchSize: 8, maxEnqueuedBatches: 0 })).toThrow(
      "BatchingConfig: 'maxEnqueuedBatches' (0) must be an integer of at least 1. Fix: allow at least one queued batch; TF Serving rejects requests once the queue is full");
  });

  test('maxExecutionBatchSize needs splitting on and is at most maxBatchSize', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 64, maxExecutionBatchSize: 32 })).toThrow(
      "BatchingConfig: 'maxExecutionBatchSize' (32) must be set only with enableLargeBatchSplitting: true (TF Serving ignores it otherwise). "
      + 'Fix: set enableLargeBatchSplitting: true, or remove maxExecutionBatchSize');
    expect(() => validateBatchingParameters(S, { maxBatchSize: 16, enableLargeBatchSplitting: true, maxExecutionBatchSize: 32 })).toThrow(
      "BatchingConfig: 'maxExecutionBatchSize' (32) must be at most maxBatchSize (16). Fix: lower maxExecutionBatchSize or raise maxBatchSize");
  });

  test('timeout a whole, non-negative number of microseconds', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 8, batchTimeoutMicros: -5 })).toThrow(
      "BatchingConfig: 'batchTimeout' (\"-5µs\") must be a whole number of microseconds, zero or more. Fix: use e.g. Duration.millis(2)");
  });

  test('thread pool name', () => {
    expect(() => validateBatchingParameters(S, { maxBatchSize: 8, threadPoolName: 'my pool' })).toThrow(
      "BatchingConfig: 'threadPoolName' (\"my pool\") must contain only letters, digits and '_'. Fix: use a name like 'batch_threads'");
  });
});
