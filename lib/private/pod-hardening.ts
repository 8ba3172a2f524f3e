import { ApiObject } from 'cdk8s';
import { addCheckedPatch } from './checked-patch';

/**
 * The restricted Pod Security Standard fields cdk8s-plus-27 cannot express, patched onto a workload whose pod
 * template is at `/spec/template/spec`: seccomp `RuntimeDefault` for the pod and `capabilities.drop: [ALL]` for
 * its first container (cdk8s-plus-27 has no seccompProfile field and its Capability enum has no ALL).
 */
export function hardenPodTemplate(workload: ApiObject): void {
  addCheckedPatch(workload, '/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' });
  addCheckedPatch(workload, '/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] });
}
