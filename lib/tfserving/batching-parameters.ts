import { TextProtoWriter } from './text-proto';
import { fail, show } from '../core/errors';

const INT32_MAX = 2 ** 31 - 1;

/**
 * TF Serving's `BatchingParameters` (tensorflow_serving/servables/tensorflow/session_bundle_config.proto),
 * field for field, in the units the proto uses. Unset fields keep TF Serving's defaults.
 *
 * @see https://github.com/tensorflow/serving/blob/master/tensorflow_serving/batching/README.md
 */
export interface BatchingParameters {
  /** `max_batch_size`: the largest batch the scheduler forms. @default - TF Serving's default (1000) */
  readonly maxBatchSize?: number;
  /** `batch_timeout_micros`: how long a partial batch waits for more requests. @default - TF Serving's default (0) */
  readonly batchTimeoutMicros?: number;
  /** `max_enqueued_batches`: queue length, in batches, before requests are rejected. @default - TF Serving's default (10) */
  readonly maxEnqueuedBatches?: number;
  /** `num_batch_threads`: threads that process batches (the batching concurrency). @default - TF Serving's default (number of CPUs) */
  readonly numBatchThreads?: number;
  /** `thread_pool_name`. @default - TF Serving's default ("batch_threads") */
  readonly threadPoolName?: string;
  /** `enable_large_batch_splitting`: split a large request across batches. @default false */
  readonly enableLargeBatchSplitting?: boolean;
  /** `max_execution_batch_size`: the largest batch executed when splitting is on. @default - maxBatchSize */
  readonly maxExecutionBatchSize?: number;
  /** `allowed_batch_sizes`: batches are padded up to the next allowed size. @default - any size */
  readonly allowedBatchSizes?: number[];
  /** `pad_variable_length_inputs`. @default false */
  readonly padVariableLengthInputs?: boolean;
}

/**
 * Checks the rules TF Serving applies when it builds its batch scheduler (the server refuses to start
 * otherwise), throwing a {@link ConfigError}.
 *
 * @param prop the prop path prefix for messages, e.g. `batching` or `` for a BatchingConfig itself
 */
export function validateBatchingParameters(subject: string, p: BatchingParameters, prop: string = ''): void {
  const at = (field: string) => (prop ? `${prop}.${field}` : field);
  const positive = (field: keyof BatchingParameters, fix: string) => {
    const v = p[field];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= 1)) fail(subject, at(field), v, 'be an integer of at least 1', fix);
    // bundle_factory_util.cc WrapSessionForBatching and GetQueueOptions read these into C++ ints.
    if ((v as number) > INT32_MAX) fail(subject, at(field), v, `be at most ${INT32_MAX} (TF Serving reads it into a 32-bit int)`, fix);
  };
  positive('maxBatchSize', 'set the largest batch the model can take, e.g. 32');
  // shared_batch_scheduler.h: "num_batch_threads must be >= 1".
  positive('numBatchThreads', 'use at least 1 batch thread (commonly the number of CPU cores, or the number of GPUs)');
  positive('maxEnqueuedBatches', 'allow at least one queued batch; TF Serving rejects requests once the queue is full');
  positive('maxExecutionBatchSize', 'set the largest batch executed, at most maxBatchSize');
  if (p.batchTimeoutMicros !== undefined && !(Number.isSafeInteger(p.batchTimeoutMicros) && p.batchTimeoutMicros >= 0)) {
    fail(subject, at('batchTimeout'), `${p.batchTimeoutMicros}µs`, 'be a whole number of microseconds, zero or more', 'use e.g. Duration.millis(2)');
  }
  if (p.threadPoolName !== undefined && !/^[A-Za-z0-9_]+$/.test(p.threadPoolName)) {
    fail(subject, at('threadPoolName'), p.threadPoolName, 'contain only letters, digits and \'_\'', 'use a name like \'batch_threads\'');
  }
  if (p.maxExecutionBatchSize !== undefined) {
    if (!p.enableLargeBatchSplitting) {
      fail(subject, at('maxExecutionBatchSize'), p.maxExecutionBatchSize, 'be set only with enableLargeBatchSplitting: true (TF Serving ignores it otherwise)',
        'set enableLargeBatchSplitting: true, or remove maxExecutionBatchSize');
    }
    const max = p.maxBatchSize ?? 1000;
    if (p.maxExecutionBatchSize > max) {
      fail(subject, at('maxExecutionBatchSize'), p.maxExecutionBatchSize, `be at most maxBatchSize (${max})`, 'lower maxExecutionBatchSize or raise maxBatchSize');
    }
  }
  const sizes = p.allowedBatchSizes;
  if (sizes !== undefined && sizes.length > 0) {
    sizes.forEach((s) => {
      if (!(Number.isSafeInteger(s) && s >= 1)) fail(subject, at('allowedBatchSizes'), sizes, 'hold integers of at least 1', 'list batch sizes such as [8, 16, 32]');
      if (s > INT32_MAX) fail(subject, at('allowedBatchSizes'), sizes, `hold sizes of at most ${INT32_MAX} (TF Serving reads them into 32-bit ints)`, 'list batch sizes such as [8, 16, 32]');
    });
    for (let i = 1; i < sizes.length; i++) {
      if (sizes[i] <= sizes[i - 1]) {
        fail(subject, at('allowedBatchSizes'), sizes, `be strictly increasing (${sizes[i]} follows ${sizes[i - 1]})`, 'sort the sizes in increasing order and remove repeats');
      }
    }
    // bundle_factory_util.cc WrapSessionForBatching: "Last entry in allowed_batch_sizes must match max_batch_size"
    // fails every model load otherwise, with or without large-batch splitting (the model server builds a shared
    // batch scheduler there; batching_session.cc's max_execution_batch_size rule applies only to
    // CreateBasicBatchingSession, which the model server does not use).
    const limit = p.maxBatchSize ?? 1000;
    const last = sizes[sizes.length - 1];
    if (last !== limit) {
      const splitting = p.enableLargeBatchSplitting === true;
      fail(subject, at('allowedBatchSizes'), sizes, `end with maxBatchSize (${limit})${splitting ? ', also with enableLargeBatchSplitting (TF Serving compares the last size with max_batch_size, not with maxExecutionBatchSize)' : ''}`,
        `make the last size ${limit}, e.g. ${show([...sizes.filter((s) => s < limit), limit])}`);
    }
  }
}

/**
 * Renders the text proto for `--batching_parameters_file` (and for a per-model `batching_params.pbtxt`).
 * Scalar fields are wrapper messages in the proto, so they print as `max_batch_size { value: 32 }`.
 */
export function renderBatchingParameters(p: BatchingParameters): string {
  const w = new TextProtoWriter();
  if (p.maxBatchSize !== undefined) w.wrapper('max_batch_size', p.maxBatchSize);
  if (p.batchTimeoutMicros !== undefined) w.wrapper('batch_timeout_micros', p.batchTimeoutMicros);
  if (p.maxEnqueuedBatches !== undefined) w.wrapper('max_enqueued_batches', p.maxEnqueuedBatches);
  if (p.numBatchThreads !== undefined) w.wrapper('num_batch_threads', p.numBatchThreads);
  if (p.threadPoolName !== undefined) w.wrapper('thread_pool_name', p.threadPoolName);
  if (p.enableLargeBatchSplitting !== undefined) w.wrapper('enable_large_batch_splitting', p.enableLargeBatchSplitting);
  if (p.maxExecutionBatchSize !== undefined) w.wrapper('max_execution_batch_size', p.maxExecutionBatchSize);
  for (const s of p.allowedBatchSizes ?? []) w.scalar('allowed_batch_sizes', s);
  if (p.padVariableLengthInputs !== undefined) w.scalar('pad_variable_length_inputs', p.padVariableLengthInputs);
  return w.toString();
}
