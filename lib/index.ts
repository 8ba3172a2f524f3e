export * from './tfserving';
export * from './k8s';
export * from './gke';
export * from './ops';
export * from './mesh';
