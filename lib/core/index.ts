export { ConfigError, fail, show, subjectOf } from './errors';
export type { ConfigErrorParts } from './errors';
export type { PropNames, RolloutBudget, RuleContext, WorkloadRequest } from './rule-context';
