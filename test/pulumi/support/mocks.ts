/**
 * Pulumi unit-test harness (https://www.pulumi.com/docs/iac/guides/testing/unit/): `installMocks()` calls
 * `pulumi.runtime.setMocks` and records every resource registration — type, name, inputs, and the options
 * the mock API does not pass to `newResource` (parent, dependsOn, provider), read from the registration
 * request itself. Call it before importing any module that creates resources (use `await import()`).
 */
import * as pulumi from '@pulumi/pulumi';

/** One `registerResource` call, as the engine would see it. */
export interface Registration {
  /** Resource type token, e.g. `gcp:container/cluster:Cluster`. */
  readonly type: string;
  /** Resource name. */
  readonly name: string;
  /** Inputs, as the mock received them (secrets unwrapped). */
  readonly inputs: any;
  /** Whether it is a custom resource (false for components). */
  readonly custom: boolean;
  /** Whether it is a remote (multi-language) component, such as `kubernetes:yaml/v2:ConfigGroup`. */
  readonly remote: boolean;
  /** URN of the parent. */
  readonly parent: string;
  /** URNs of the explicit dependencies (`dependsOn`). */
  readonly dependsOn: string[];
  /** Provider reference (`URN::ID`) of a custom resource, or the provider references of a remote component by package. */
  readonly provider: string;
  readonly providers: Record<string, string>;
  /** Its URN, once registered. */
  urn?: string;
}

/** Every registration since `installMocks()` (or the last `resetRegistrations()`). */
export const registrations: Registration[] = [];

/** Endpoint and CA certificate the mocked cluster reports. */
export const MOCK_ENDPOINT = '203.0.113.10';
export const MOCK_CA = Buffer.from('mock CA certificate').toString('base64');

let installed = false;

/** Installs the mocks and the recorder (once per module registry, i.e. per test file). */
export function installMocks(): void {
  if (installed) return;
  installed = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MockMonitor } = require('@pulumi/pulumi/runtime/mocks');
  const register = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = function (req: any, callback: (err: any, resp: any) => void) {
    const rec: Registration = {
      type: req.getType(),
      name: req.getName(),
      inputs: pulumi.runtime.deserializeProperties(req.getObject()),
      custom: req.getCustom(),
      remote: req.getRemote(),
      parent: req.getParent(),
      dependsOn: req.getDependenciesList(),
      provider: req.getProvider(),
      providers: Object.fromEntries(req.getProvidersMap().toArray()),
    };
    registrations.push(rec);
    return register.call(this, req, (err: any, resp: any) => {
      if (resp) rec.urn = resp.getUrn();
      callback(err, resp);
    });
  };
  void pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      const state: Record<string, any> = { ...args.inputs, name: args.inputs.name ?? args.name };
      if (args.type === 'gcp:container/cluster:Cluster') {
        state.endpoint = MOCK_ENDPOINT;
        state.masterAuth = { clusterCaCertificate: MOCK_CA, clientCertificate: '', clientKey: '' };
      }
      if (args.type === 'gcp:serviceaccount/account:Account') {
        const email = `${args.inputs.accountId}@${args.inputs.project}.iam.gserviceaccount.com`;
        Object.assign(state, { email, member: `serviceAccount:${email}`, name: `projects/${args.inputs.project}/serviceAccounts/${email}` });
      }
      return { id: `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
      return args.inputs;
    },
  }, 'tfserving-test', 'test', false);
}

/** Waits until every pending registration has gone through the mocks. */
export async function settle(): Promise<void> {
  const wait = (pulumi.runtime as any).waitForRPCs as (() => Promise<void>) | undefined;
  if (wait) {
    await wait();
    return;
  }
  // fallback: until the number of registrations stops growing.
  let n = -1;
  while (n !== registrations.length) {
    n = registrations.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of an output (under mocks every value is known). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => {
    resolve(v);
    return v;
  }));
}

/** The registrations of one type (optionally only names starting with `prefix`). */
export function ofType(type: string, prefix = ''): Registration[] {
  return registrations.filter((r) => r.type === type && r.name.startsWith(prefix));
}

/** The one registration with this type and name. */
export function the(type: string, name: string): Registration {
  const found = registrations.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type} '${name}', found ${found.length}; registered: ${registrations.map((r) => `${r.type} ${r.name}`).join(', ')}`);
  }
  return found[0];
}

/** Resource type tokens. */
export const T = {
  stack: 'tfserving-constructs:gke:GkeServingStack',
  cluster: 'gcp:container/cluster:Cluster',
  nodePool: 'gcp:container/nodePool:NodePool',
  account: 'gcp:serviceaccount/account:Account',
  iamMember: 'gcp:serviceaccount/iAMMember:IAMMember',
  bucketIamMember: 'gcp:storage/bucketIAMMember:BucketIAMMember',
  network: 'gcp:compute/network:Network',
  subnetwork: 'gcp:compute/subnetwork:Subnetwork',
  router: 'gcp:compute/router:Router',
  routerNat: 'gcp:compute/routerNat:RouterNat',
  projectIamMember: 'gcp:projects/iAMMember:IAMMember',
  k8sProvider: 'pulumi:providers:kubernetes',
  configGroup: 'kubernetes:yaml/v2:ConfigGroup',
} as const;
