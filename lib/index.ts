// The main entry point, `tfserving-constructs`: the constructs and the types their props and methods use.
// The pure TF Serving renderers and validators are on `tfserving-constructs/tfserving`, the Pulumi layer on
// `tfserving-constructs/pulumi`; helpers (message formatting, text-format writing, unit conversion) stay private.
export { ConfigError } from './core';
export type { ConfigErrorParts, PropNames, RolloutBudget, RuleContext, WorkloadRequest } from './core';
export { DEFAULT_TF_SERVING_VERSION, TfServingImage, VersionPolicy } from './tfserving';
export type { CustomImageOptions } from './tfserving';
export * from './serving';
export * from './gke';
export * from './ops';
export * from './mesh';
export * from './gateway';
// The cdk8s validation plugin (cdk8s.yaml `validations:`), at the root because cdk8s-cli loads the class from the
// package's main module.
export * from './validation';
