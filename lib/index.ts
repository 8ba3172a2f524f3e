export * from './core';
export * from './tfserving';
export * from './serving';
export * from './gke';
export * from './ops';
export * from './mesh';
