// A standard Pulumi TypeScript program (`pulumi up`) for the gke-gpu example's declarations: the GkeCluster, its CPU
// pool, the L4 pool that scales from zero, the Workload Identity binding and the multi-model TF Serving server of
// examples/gke-gpu/chart.ts become a native GKE cluster and node pools (@pulumi/gcp), then the chart's Kubernetes
// objects are applied to the new cluster (@pulumi/kubernetes). The same chart still synthesizes with `cdk8s synth`.
import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
// In your own program: import { GkeServingStack } from 'tfserving-constructs/pulumi';
import { GkeServingStack } from '../../lib/pulumi';
import { GkeGpuChart } from '../gke-gpu/chart';

// The cdk8s app is built in memory and never synthesized to files (no app.synth()): the stack reads the
// constructs' resolved specs and the charts' objects from it.
const app = new App();
const chart = new GkeGpuChart(app, 'gke-gpu');

// The chart names its Google Cloud project; refuse to run against a stack configured for another one.
const gcpProject = new pulumi.Config('gcp').get('project');
if (gcpProject !== undefined && gcpProject !== chart.cluster.project) {
  throw new Error(`gcp:project (${gcpProject}) must be the project the chart declares (${chart.cluster.project}). `
    + `Fix: pulumi config set gcp:project ${chart.cluster.project}, or change the GkeCluster's project in examples/gke-gpu/chart.ts`);
}

const config = new pulumi.Config();
const stack = new GkeServingStack('ml', {
  app,
  // scaling the L4 pool up from zero (Spot capacity permitting) can take longer than Pulumi's readiness wait.
  skipAwait: config.getBoolean('skipAwait') ?? false,
  // CRD groups installed on the cluster besides GKE's: none. The chart's only CRD-based objects are PodMonitorings
  // (monitoring.googleapis.com), which GKE installs with managed collection; add e.g. 'networking.istio.io' once
  // Istio is installed, or the stack refuses to plan the chart's Istio objects.
  installedApiGroups: [],
});

/** GKE name of the cluster. */
export const clusterName = stack.clusterName;
/** The control plane's IP address. */
export const endpoint = stack.endpoint;
/** Kubeconfig using gke-gcloud-auth-plugin (secret): `pulumi stack output kubeconfig --show-secrets > kubeconfig.json`. */
export const kubeconfig = stack.kubeconfig;
/** NAMESPACE/NAME of the TF Serving Services. */
export const serviceNames = stack.serviceNames;
/** The node pools, by declared name (their GKE names carry a hash: `spec.gkeNames.pulumi`). */
export const nodePools = Object.keys(stack.nodePools);
