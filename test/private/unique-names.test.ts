import { ApiObject, Chart, Testing } from 'cdk8s';
import { GkeCluster, NodePool, WorkloadIdentity } from '../../lib/gke';

/** Two charts of one app, in the same namespace unless told otherwise. */
function twoCharts(namespaces: [string, string] = ['ml', 'ml']) {
  const app = Testing.app();
  return { app, a: new Chart(app, 'a', { namespace: namespaces[0] }), b: new Chart(app, 'b', { namespace: namespaces[1] }) };
}

const validationError = (...errors: string[]) => new Error(`Validation failed with the following errors:\n  ${errors.map((e) => `[] ${e}`).join('\n  ')}`);

describe('names that must be unique across the app (issue 10 item 14)', () => {
  test('two charts writing the same kind, namespace and name are refused (applying both, the second overwrites the first)', () => {
    const { a, b } = twoCharts();
    new GkeCluster(a, 'serving', { project: 'acme-ml', location: 'us-central1-a' });
    for (const chart of [a, b]) new ApiObject(chart, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    expect(() => a.toJson()).toThrow(validationError(
      "App: 'metadata.name' (\"settings\") must be unique per kind and namespace across the app's charts, but ConfigMap objects a/settings (chart 'a') "
      + "and b/settings (chart 'b') share it (applying both charts, the second overwrites the first). "
      + "Fix: give one of the constructs another name (its 'name' prop or id), or give the charts different namespaces"));
  });

  test('the same name in different namespaces is fine', () => {
    const { a, b } = twoCharts(['ml', 'ops']);
    new GkeCluster(a, 'serving', { project: 'acme-ml', location: 'us-central1-a' });
    for (const chart of [a, b]) new ApiObject(chart, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    expect(() => a.toJson()).not.toThrow();
  });

  test('two GKE clusters with one name in one project and location are refused', () => {
    const { a, b } = twoCharts(['infra-a', 'infra-b']);
    new GkeCluster(a, 'serving', { project: 'acme-ml', location: 'us-central1' });
    new GkeCluster(b, 'serving', { project: 'acme-ml', location: 'us-central1' });
    expect(() => a.toJson()).toThrow(validationError(
      "GkeCluster 'serving': 'name' (\"serving\") must be unique per project and location (acme-ml, us-central1) in the app, but GkeCluster 'serving' "
      + "at 'a/serving' declares it too (both would manage one GKE cluster and overwrite each other's settings). Fix: give one cluster another name"));
    // another location is another cluster
    const other = twoCharts(['infra-a', 'infra-b']);
    new GkeCluster(other.a, 'serving', { project: 'acme-ml', location: 'us-central1' });
    new GkeCluster(other.b, 'serving', { project: 'acme-ml', location: 'europe-west4' });
    expect(() => other.a.toJson()).not.toThrow();
  });

  test('two node pools with one name in one cluster are refused', () => {
    const { a, b } = twoCharts(['infra-a', 'infra-b']);
    const cluster = new GkeCluster(a, 'serving', { project: 'acme-ml', location: 'us-central1' });
    cluster.addNodePool('cpu');
    new NodePool(b, 'cpu', { cluster });
    expect(() => a.toJson()).toThrow(validationError(
      "NodePool 'cpu': 'name' (\"cpu\") must be unique per cluster (serving in acme-ml, us-central1), but NodePool 'cpu' at 'a/serving/cpu' declares it too "
      + "(both would manage one GKE node pool and overwrite each other's settings). Fix: give one pool another name (its 'name' prop or id)"));
  });

  test('two Google service accounts with one account id in one project are refused', () => {
    const { a, b } = twoCharts(['infra-a', 'infra-b']);
    const cluster = new GkeCluster(a, 'serving', { project: 'acme-ml', location: 'us-central1' });
    for (const chart of [a, b]) {
      new WorkloadIdentity(chart, 'identity', { cluster, serviceAccountName: 'vision', namespace: chart.namespace!, googleServiceAccountId: 'vision-serving' });
    }
    expect(() => a.toJson()).toThrow(validationError(
      "WorkloadIdentity 'identity': 'googleServiceAccountId' (\"vision-serving\") must be unique per project (acme-ml) in the app, but WorkloadIdentity "
      + "'identity' at 'a/identity' declares it too (both would manage one Google service account, and deleting either deletes it for both). "
      + 'Fix: give one of them another googleServiceAccountId'));
  });
});
