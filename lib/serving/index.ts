export { BatchingConfig } from './batching-config';
export type { BatchingConfigProps } from './batching-config';
export { GcsAccess } from './gcs-access';
export { GrpcTls } from './grpc-tls';
export type { IWorkloadIdentityBinding } from './gcs-access';
export { ModelSource, S3Credentials, STORAGE_INITIALIZER_IMAGE } from './model-source';
export type {
  GcsFuseOptions, GcsFuseSidecarResources, ImageSourceOptions, S3SourceOptions, StorageInitializerOptions,
} from './model-source';
export { ServingApp } from './serving-app';
export { Scraper } from './monitoring';
export type { MonitoringOptions } from './monitoring';
export { CONFIG_DIR, LIST_OPS_ANNOTATION, TfServingModel } from './tf-serving-model';
export { COLD_START_FIGURES, MODEL_LOAD_TIERS, planColdStart } from './cold-start';
export type { AdditionalModelLoad, ColdStartInputs, ColdStartPlan, ImagePreload, ModelLoadTier, TierEstimate } from './cold-start';
export { callsPerPoll, DEFAULT_MAX_LIST_OPS_PER_MONTH, estimatePollingCost, OBJECT_STORE_OPERATION_USD_PER_1000, SECONDS_PER_MONTH } from './polling-cost';
export type { PolledModel, PollingCost, PollingCostInputs } from './polling-cost';
export { HttpsEgress } from './https-egress';
export type {
  AutoscalingOptions, DisruptionBudgetOptions, DrainOptions, NetworkAdmission, ServedModelOptions, ServingNetworkPolicyOptions,
  ServingProbeOptions, ServingSecurityOptions, ThreadOptions, TfServingModelProps,
} from './tf-serving-model';
export type { IMeshAdmission, IServingEndpoint } from './serving-endpoint';
