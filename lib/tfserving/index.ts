// `tfserving-constructs/tfserving`: the pure TF Serving knowledge (no cdk8s), for tools that write or check TF Serving
// configuration themselves. Every renderer writes the text format TF Serving's TextFormat::Parse reads; every
// validator throws a ConfigError with the same message the constructs throw at synth time.
export { ConfigError } from '../core/errors';
export { VersionPolicy } from './version-policy';
export { renderModelServerConfig, validateModelConfigs } from './model-server-config';
export type { ModelConfig, ModelConfigRulesOptions } from './model-server-config';
export { renderBatchingParameters, validateBatchingParameters } from './batching-parameters';
export type { BatchingParameters } from './batching-parameters';
export { DEFAULT_PROMETHEUS_PATH, renderMonitoringConfig, validateMonitoringConfig } from './monitoring-config';
export type { MonitoringConfig } from './monitoring-config';
export { MODEL_SERVER_FLAGS, ServerFlags, validatePorts } from './server-flags';
export type { FlagValue } from './server-flags';
export { DEFAULT_TF_SERVING_VERSION, TfServingImage } from './image';
export type { CustomImageOptions } from './image';
export { deriveThreads, GRPC_THREAD_FLOOR, grpcThreadsFor } from './threads';
export type { ThreadSettings } from './threads';
export { crc32c, maskedCrc32c, MAX_WARMUP_RECORDS, readTfRecordFile, tfRecordFile, tfRecordFrame, WARMUP_FILE_PATH, warmupRequestsFile } from './tfrecord';
export { encodePredictionLog, parsePredictRequest, parsePredictResponse } from './prediction-log';
export type { PlainTensor, PredictEntry, RestPredictRequest, RestTensorOptions, TensorDataType } from './prediction-log';
export { DCGM_METRICS, TF_SERVING_METRICS, prometheusMetricName } from './metrics';
export { parseBatchingParameters, parseModelServerConfig, parseMonitoringConfig } from './text-proto-parser';
export type { TextProtoMessage, TextProtoValue } from './text-proto-parser';
