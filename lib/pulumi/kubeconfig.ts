import type { GkeClusterSpec } from '../gke/gke-cluster';

/**
 * What a kubeconfig for a GKE cluster needs.
 */
export interface GkeKubeconfigOptions {
  /** Name of the kubeconfig's cluster, user and context. */
  readonly contextName: string;
  /** The control plane's address (`gcp.container.Cluster` `endpoint`: an IP address, without a scheme). */
  readonly endpoint: string;
  /** Base64-encoded CA certificate of the control plane (`masterAuth.clusterCaCertificate`). */
  readonly clusterCaCertificate: string;
}

/** The credential plugin GKE clients use since Kubernetes 1.26 (`gcloud components install gke-gcloud-auth-plugin`). */
export const GKE_AUTH_PLUGIN = 'gke-gcloud-auth-plugin';

/**
 * The context name `gcloud container clusters get-credentials` writes: `gke_PROJECT_LOCATION_NAME`.
 *
 * @param spec the cluster's resolved spec
 */
export function defaultKubeconfigContext(spec: GkeClusterSpec): string {
  return `gke_${spec.project}_${spec.location}_${spec.name}`;
}

/**
 * A kubeconfig (as JSON, which every kubeconfig reader accepts as YAML) for a GKE cluster whose user
 * authenticates through the `gke-gcloud-auth-plugin` exec credential plugin, as `gcloud container clusters
 * get-credentials` writes it: no token is stored, the plugin mints one from the caller's Google
 * credentials (Application Default Credentials or the gcloud login) each time.
 *
 * @param options endpoint, CA and context name
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
 */
export function gkeKubeconfig(options: GkeKubeconfigOptions): string {
  const name = options.contextName;
  return JSON.stringify({
    'apiVersion': 'v1',
    'kind': 'Config',
    'clusters': [{ name, cluster: { 'certificate-authority-data': options.clusterCaCertificate, 'server': `https://${options.endpoint}` } }],
    'contexts': [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    'preferences': {},
    'users': [{
      name,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: GKE_AUTH_PLUGIN,
          installHint: 'Install gke-gcloud-auth-plugin for use with kubectl by following '
            + 'https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin',
          provideClusterInfo: true,
        },
      },
    }],
  }, undefined, 2);
}
