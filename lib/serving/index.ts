export { BatchingConfig } from './batching-config';
export type { BatchingConfigProps } from './batching-config';
export { GcsAccess } from './gcs-access';
export type { IWorkloadIdentityBinding } from './gcs-access';
export { ModelSource, S3Credentials, STORAGE_INITIALIZER_IMAGE } from './model-source';
export type {
  GcsFuseOptions, GcsFuseSidecarResources, ImageSourceOptions, S3SourceOptions, StorageInitializerOptions,
} from './model-source';
export { ServingApp } from './serving-app';
export { Scraper } from './monitoring';
export type { MonitoringOptions } from './monitoring';
export { CONFIG_DIR, TfServingModel } from './tf-serving-model';
export { HttpsEgress } from './https-egress';
export type {
  AutoscalingOptions, DisruptionBudgetOptions, DrainOptions, NetworkAdmission, ServedModelOptions, ServingNetworkPolicyOptions,
  ServingProbeOptions, ServingSecurityOptions, ThreadOptions, TfServingModelProps,
} from './tf-serving-model';
export type { IMeshAdmission, IServingEndpoint } from './serving-endpoint';
