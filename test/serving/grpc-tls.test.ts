import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GcsAccess, GrpcTls, ModelSource, TfServingModel, TfServingModelProps } from '../../lib';
import { GRPC_TLS_CONFIG_FILE, sslConfigScript } from '../../lib/serving/grpc-tls';
import { sharedDir } from '../support/shared';
import { containerOf, flagsOf, only, synth } from '../support/synth';

const WI = GcsAccess.workloadIdentity('serving@acme-ml.iam.gserviceaccount.com');
const RESNET = { name: 'resnet', source: ModelSource.gcs('gs://acme-models/resnet') };

function build(props: Partial<TfServingModelProps> = {}) {
  const chart = Testing.chart();
  const model = new TfServingModel(chart, 'resnet', { models: [RESNET], gcsAccess: WI, ...props });
  return { model, objects: synth(chart) };
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

describe('GrpcTls', () => {
  test('the server reads --ssl_config_file from an in-memory emptyDir an init container fills from the Secret', () => {
    // GIVEN a server with TLS on its gRPC port
    const { model, objects } = build({ grpcTls: GrpcTls.fromSecret('resnet-grpc-tls') });
    // THEN the flag points at the generated file, mounted read-only
    const server = containerOf(objects);
    expect(flagsOf(server).ssl_config_file).toEqual(GRPC_TLS_CONFIG_FILE);
    expect(server.volumeMounts).toContainEqual({ mountPath: '/etc/tfserving-tls', name: 'grpc-tls', readOnly: true });
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'grpc-tls', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(pod.volumes).toContainEqual({ name: 'grpc-tls-secret', secret: { secretName: 'resnet-grpc-tls', defaultMode: 0o440 } });
    // AND the init container is the server's pinned image, hardened, and sees the Secret (the server does not)
    const init = pod.initContainers[0];
    expect(init.name).toEqual('grpc-tls-config');
    expect(init.image).toEqual(model.image.image);
    expect(init.command).toEqual(['/bin/sh', '-c', sslConfigScript()]);
    expect(init.securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(init.resources).toEqual({ limits: { cpu: '100m', memory: '16Mi' }, requests: { cpu: '10m', memory: '16Mi' } });
    expect(init.volumeMounts).toEqual([
      { mountPath: '/var/run/tfserving-tls-secret', name: 'grpc-tls-secret', readOnly: true },
      { mountPath: '/etc/tfserving-tls', name: 'grpc-tls' },
    ]);
    expect(server.volumeMounts.map((m: any) => m.name)).not.toContain('grpc-tls-secret');
    expect(model.grpcTls?.secretName).toEqual('resnet-grpc-tls');
  });

  test('without grpcTls: no flag, no init container', () => {
    const { model, objects } = build();
    expect(flagsOf(containerOf(objects)).ssl_config_file).toBeUndefined();
    expect(only(objects, 'Deployment').spec.template.spec.initContainers).toBeUndefined();
    expect(model.grpcTls).toBeUndefined();
  });

  test('throws for a Secret name the API server refuses', () => {
    expect(() => GrpcTls.fromSecret('Bad_Name')).toThrow(
      'GrpcTls.fromSecret: \'secretName\' ("Bad_Name") must be a DNS subdomain: at most 253 lower-case letters, digits, \'-\' or \'.\', starting and ending '
      + 'with a letter or digit. Fix: use the name as `kubectl get` shows it');
  });

  test.each(['ssl_config_file', 'use_alts_credentials'])('throws for extraArgs.%s: TLS on the gRPC port has one home', (flag) => {
    expect(() => build({ extraArgs: { [flag]: 'x' } })).toThrow(
      `TfServingModel 'resnet': 'extraArgs.${flag}' ("x") must not be set: it makes the gRPC port TLS-only (server.cc BuildServerCredentials) without `
      + "the constructs that call the port knowing. Fix: remove it and set grpcTls: GrpcTls.fromSecret('<kubernetes.io/tls Secret>')");
  });

  test('throws for extraArgs.ssl_config_file next to grpcTls', () => {
    expect(() => build({ grpcTls: GrpcTls.fromSecret('t'), extraArgs: { ssl_config_file: '/x' } })).toThrow(
      'TfServingModel \'resnet\': \'extraArgs.ssl_config_file\' ("/x") must not repeat a flag a prop already sets. Fix: remove it from extraArgs and set '
      + `the prop instead (current --ssl_config_file=${GRPC_TLS_CONFIG_FILE})`);
  });

  test('throws for extraArgs.use_alts_credentials next to grpcTls: ALTS would win over the TLS config', () => {
    expect(() => build({ grpcTls: GrpcTls.fromSecret('t'), extraArgs: { use_alts_credentials: 'true' } })).toThrow(
      'TfServingModel \'resnet\': \'extraArgs.use_alts_credentials\' ("true") must not be set with grpcTls: TF Serving checks ALTS first and then '
      + 'ignores the TLS config (server.cc BuildServerCredentials), so the load balancer\'s TLS connection to the gRPC port fails. Fix: remove it');
  });

  // The script runs in /bin/sh with sed (as in the server's image); protoc's C++ text-format parser (the one
  // TF Serving's ParseProtoTextFile uses) reads the result back. Skips where protoc, openssl or ../shared is absent.
  const protoDir = sharedDir('tfserving', 'protos');
  const runnable = protoDir !== undefined && has('protoc') && has('openssl') && has('sed');
  (runnable ? test : test.skip)('the script writes an SSLConfig that the C++ text-format parser reads back byte for byte (protoc, ../shared)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-tls-'));
    try {
      const secret = path.join(dir, 'secret');
      fs.mkdirSync(secret);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=resnet',
        '-keyout', path.join(secret, 'tls.key'), '-out', path.join(secret, 'tls.crt')], { stdio: 'ignore' });
      // A CRLF line and a quote/backslash in a comment line exercise the escapes.
      fs.appendFileSync(path.join(secret, 'tls.crt'), 'odd "quoted" \\ line\r\n');
      const out = path.join(dir, 'ssl_config.pbtxt');
      execFileSync('/bin/sh', ['-c', sslConfigScript(secret, out)]);
      const text = fs.readFileSync(out);
      const args = [`--proto_path=${protoDir}`, 'tensorflow_serving/config/ssl_config.proto'];
      const binary = execFileSync('protoc', [...args, '--encode=tensorflow.serving.SSLConfig'], { input: text });
      const decoded = execFileSync('protoc', [...args, '--decode=tensorflow.serving.SSLConfig'], { input: binary }).toString();
      // protoc prints each field once, C-escaped; compare the values after unescaping.
      const field = (name: string) => JSON.parse(`"${/^(\w+): "(.*)"$/m.exec(decoded.split('\n').find((l) => l.startsWith(`${name}:`))!)![2]
        .replace(/\\'/g, "'").replace(/\\([0-7]{3})/g, (_, o) => `\\u00${parseInt(o, 8).toString(16).padStart(2, '0')}`)}"`);
      expect(field('server_key')).toEqual(fs.readFileSync(path.join(secret, 'tls.key'), 'utf8'));
      expect(field('server_cert')).toEqual(fs.readFileSync(path.join(secret, 'tls.crt'), 'utf8').replace(/\r\n/g, '\n'));
      expect(decoded).not.toMatch(/client_verify|custom_ca/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  (has('sed') ? test : test.skip)('the script stops on a missing key instead of leaving a file the server would CHECK-fail on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-tls-'));
    try {
      fs.writeFileSync(path.join(dir, 'tls.crt'), 'x\n');
      const r = spawnSync('/bin/sh', ['-c', sslConfigScript(dir, path.join(dir, 'out'))]);
      expect(r.status).toEqual(1);
      expect(r.stderr.toString()).toEqual(`${dir}/tls.key is missing or empty: the Secret must be of type kubernetes.io/tls\n`);
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
