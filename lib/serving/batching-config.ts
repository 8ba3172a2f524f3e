import { Duration } from 'cdk8s';
import { fail } from '../core/errors';
import { BatchingParameters, renderBatchingParameters, validateBatchingParameters } from '../tfserving/batching-parameters';

/**
 * Properties of a {@link BatchingConfig}: TF Serving's `BatchingParameters` (the same fields, documented
 * there), with the timeout as a `Duration` and the defaults a TfServingModel fills in.
 *
 * @see https://github.com/tensorflow/serving/blob/master/tensorflow_serving/batching/README.md
 */
export interface BatchingConfigProps extends Omit<BatchingParameters, 'maxBatchSize' | 'batchTimeoutMicros' | 'maxEnqueuedBatches' | 'numBatchThreads'> {
  /** The largest batch the scheduler forms (`max_batch_size`). */
  readonly maxBatchSize: number;
  /**
   * How long a partial batch waits for more requests before it runs (`batch_timeout_micros`).
   * Routes in front of the server must allow at least this long.
   *
   * @default Duration.millis(0) - a batch runs as soon as a batch thread is free (the batching guide's starting point)
   */
  readonly batchTimeout?: Duration;
  /**
   * Queue length, in batches, before the server rejects requests (`max_enqueued_batches`).
   *
   * @default - the number of batch threads (the batching guide's advice for online serving: bounded queueing delay)
   */
  readonly maxEnqueuedBatches?: number;
  /**
   * Threads that process batches (`num_batch_threads`).
   *
   * @default - derived by the TfServingModel from its CPU request (one per core)
   */
  readonly numBatchThreads?: number;
}

/**
 * TF Serving server-side batching, validated when it is created.
 *
 * A BatchingConfig is a value, not a construct: give the same one to several TfServingModels. On a
 * TfServingModel it turns on `--enable_batching` with `--batching_parameters_file`; on one model of a
 * server (`models[].batching`) it becomes that model's `batching_params.pbtxt`.
 */
export class BatchingConfig {
  /** The largest batch the scheduler forms. */
  public readonly maxBatchSize: number;
  /** How long a partial batch waits. */
  public readonly batchTimeout: Duration;
  /** The batch thread count, if set here (else derived from the CPU request). */
  public readonly numBatchThreads?: number;
  private readonly props: BatchingConfigProps;

  constructor(props: BatchingConfigProps) {
    this.props = { ...props, allowedBatchSizes: props.allowedBatchSizes ? [...props.allowedBatchSizes] : undefined };
    this.maxBatchSize = props.maxBatchSize;
    this.batchTimeout = props.batchTimeout ?? Duration.millis(0);
    this.numBatchThreads = props.numBatchThreads;
    validateBatchingParameters('BatchingConfig', this.toParameters(props.numBatchThreads ?? 1));
  }

  /** The batch timeout in microseconds (the proto's unit). */
  public get batchTimeoutMicros(): number {
    const exact = this.batchTimeout.toMilliseconds({ integral: false }) * 1000;
    const micros = Math.round(exact);
    // The proto field is an integer count of microseconds; refuse to round a finer duration silently.
    if (Math.abs(exact - micros) > 1e-6) {
      fail('BatchingConfig', 'batchTimeout', `${+exact.toFixed(6)}µs`, 'be a whole number of microseconds, zero or more', 'use e.g. Duration.millis(2)');
    }
    return micros;
  }

  /** The allowed batch sizes, a copy. */
  public get allowedBatchSizes(): number[] | undefined {
    return this.props.allowedBatchSizes ? [...this.props.allowedBatchSizes] : undefined;
  }

  /**
   * The resolved BatchingParameters.
   *
   * @param defaultBatchThreads the thread count to use when none was set
   */
  public toParameters(defaultBatchThreads: number): BatchingParameters {
    const threads = this.props.numBatchThreads ?? defaultBatchThreads;
    return {
      maxBatchSize: this.props.maxBatchSize,
      batchTimeoutMicros: this.batchTimeoutMicros,
      maxEnqueuedBatches: this.props.maxEnqueuedBatches ?? threads,
      numBatchThreads: threads,
      threadPoolName: this.props.threadPoolName,
      enableLargeBatchSplitting: this.props.enableLargeBatchSplitting,
      maxExecutionBatchSize: this.props.maxExecutionBatchSize,
      allowedBatchSizes: this.allowedBatchSizes,
      padVariableLengthInputs: this.props.padVariableLengthInputs,
    };
  }

  /** The text proto TF Serving reads, with `defaultBatchThreads` when none was set. */
  public render(defaultBatchThreads: number): string {
    return renderBatchingParameters(this.toParameters(defaultBatchThreads));
  }
}
