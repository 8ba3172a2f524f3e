export { TfServingValidation, checkTfServingObjects } from './tfserving-validation';
export type { TfServingFinding, TfServingValidationContext, TfServingValidationProps } from './tfserving-validation';
