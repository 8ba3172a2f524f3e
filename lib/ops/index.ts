export { K6_IMAGE, LoadProtocol, LoadTest, LoadTestPayload, TensorDType } from './load-test';
export type { LoadTestProps, TensorExampleOptions } from './load-test';
export { EXPERIMENT_LABEL, ExperimentBatching, ExperimentMatrix, VARIANT_LABEL } from './experiment-matrix';
export type { ExperimentAxes, ExperimentMatrixProps, ExperimentVariant } from './experiment-matrix';
export { planCapacity } from './capacity';
export type { CapacityInputs, CapacityPlan } from './capacity';
export { RequestLogging, sampleExpression } from './request-logging';
export type { ILoggedWorkload, RequestLoggingProps } from './request-logging';
