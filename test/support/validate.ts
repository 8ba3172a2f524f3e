/**
 * Validates synthesized Kubernetes objects against the real schemas:
 *  - core kinds: the `kubernetes-models` classes (Kubernetes 1.33 OpenAPI), plus an unknown-field walk over
 *    @kubernetes/client-node's field lists (schema validation alone lets unknown fields through);
 *  - CRD kinds: ajv against the CRD's openAPIV3Schema (test/schemas, generated from the upstream CRD files)
 *    with `additionalProperties: false` where the schema lists properties (as the API server prunes them),
 *    plus the `@kubernetes-models/*` class where a package has the kind.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as k8sClient from '@kubernetes/client-node';
import Ajv, { ValidateFunction } from 'ajv';

const CORE_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'scheduling.k8s.io']);
/** CRD kinds with a kubernetes-models package: module path prefix. */
const MODEL_PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'container.cnrm.cloud.google.com': '@kubernetes-models/gke',
  'iam.cnrm.cloud.google.com': '@kubernetes-models/gke',
  'storage.cnrm.cloud.google.com': '@kubernetes-models/gke',
};

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map<string, ValidateFunction>();

/** Kubernetes structural-schema extensions that change what is valid, mapped to plain JSON schema. */
function adapt(schema: any): any {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(adapt);
  const s: any = {};
  for (const [k, v] of Object.entries(schema)) s[k] = k === 'default' || k === 'example' ? v : adapt(v);
  if (s['x-kubernetes-int-or-string']) {
    delete s.type;
    s.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s['x-kubernetes-preserve-unknown-fields'] && s.type === 'object' && !s.properties) s.additionalProperties = true;
  if (s.type === 'object' && s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.additionalProperties = false;
  if (s.nullable) {
    if (s.type) s.type = [s.type, 'null'];
    delete s.nullable;
  }
  // Go RE2's case-insensitive flag (PrometheusRule's `(?i)(abort|warn)`) has no JavaScript form: spell each letter both ways.
  if (typeof s.pattern === 'string' && s.pattern.includes('(?i)') && !s.pattern.includes('\\')) {
    s.pattern = s.pattern.replace('(?i)', '').replace(/[a-zA-Z]/g, (c: string) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
  }
  delete s.$comment;
  return s;
}

function crdValidator(key: string): ValidateFunction | undefined {
  if (crdValidators.has(key)) return crdValidators.get(key);
  const file = path.join(__dirname, '..', 'schemas', `${key.replace(/\//g, '_')}.json`);
  if (!fs.existsSync(file)) return undefined;
  const schema = adapt(JSON.parse(fs.readFileSync(file, 'utf8')));
  schema.properties = { ...schema.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  const v = ajv.compile(schema);
  crdValidators.set(key, v);
  return v;
}

/**
 * Fields newer than @kubernetes/client-node 0.22's models, each with its own field list, as kubernetes-models (Kubernetes
 * 1.33) declares it: `Volume.image` (ImageVolumeSource, KEP-4639; kubernetes-models/v1/ImageVolumeSource.d.ts). Only these
 * fields are added; their schema is still validated by the kubernetes-models class.
 */
const NEWER_FIELDS: Record<string, Record<string, readonly string[]>> = {
  V1Volume: { image: ['reference', 'pullPolicy'] },
};

/** Unknown fields of `value` against a client-node model type (`V1Deployment`, `Array<V1Container>` …). */
function unknownFields(value: any, type: string, at: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, arr[1], `${at}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${at}.${k}`, out);
    return;
  }
  const model = (k8sClient as any)[type];
  if (!model || typeof model.getAttributeTypeMap !== 'function' || typeof value !== 'object') return;
  const attrs: { baseName: string; type: string }[] = model.getAttributeTypeMap();
  for (const [k, v] of Object.entries(value)) {
    const attr = attrs.find((a) => a.baseName === k);
    const newer = NEWER_FIELDS[type]?.[k];
    if (!attr && newer) {
      for (const field of Object.keys(v as object)) if (!newer.includes(field)) out.push(`${at}.${k}.${field}: unknown field (not in ${type}.${k})`);
    } else if (!attr) {out.push(`${at}.${k}: unknown field (not in ${type})`);} else {unknownFields(v, attr.type, `${at}.${k}`, out);}
  }
}

/** Validation errors of one object; empty when valid. */
export function validationErrors(o: any): string[] {
  const where = `${o?.kind}/${o?.metadata?.name}`;
  if (!o?.apiVersion || !o?.kind) return [`${where}: missing apiVersion or kind`];
  const errors: string[] = [];
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const name: string | undefined = o.metadata?.name;
  if (!name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) errors.push(`${where}: metadata.name is not a DNS subdomain`);
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) errors.push(`${where}: label ${k}=${v} is not a valid label value`);
  }
  if (CORE_GROUPS.has(group)) {
    let cls: any;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cls = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`)[o.kind];
    } catch {
      return [`${where}: unknown Kubernetes kind ${o.apiVersion} ${o.kind}`];
    }
    try {
      new cls(o).validate();
    } catch (e: any) {
      errors.push(`${where}: schema: ${String(e.message).split('\n').slice(0, 6).join(' | ')}`);
    }
    unknownFields(o, `${version.charAt(0).toUpperCase()}${version.slice(1)}${o.kind}`, where, errors);
    return errors;
  }
  const key = `${group}/${version}/${o.kind}`;
  const v = crdValidator(key);
  if (!v) return [`${where}: no schema for ${key} (add it to scripts/import-crds.ts)`];
  if (!v(o)) {
    errors.push(`${where}: schema: ${(v.errors ?? []).slice(0, 6).map((e) => `${e.instancePath || '/'} ${e.message}${(e.params as any)?.additionalProperty ? ` '${(e.params as any).additionalProperty}'` : ''}`).join(' | ')}`);
  }
  const pkg = MODEL_PACKAGES[group];
  if (pkg) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cls = require(`${pkg}/${group}/${version}/${o.kind}`)[o.kind];
    try {
      new cls(o).validate();
    } catch (e: any) {
      errors.push(`${where}: ${pkg}: ${String(e.message).split('\n').slice(0, 4).join(' | ')}`);
    }
  }
  return errors;
}

/** Throws with every validation error of the objects. */
export function assertValid(objects: any[]): void {
  const errors = objects.flatMap(validationErrors);
  if (errors.length) throw new Error(`invalid Kubernetes objects:\n  ${errors.join('\n  ')}`);
}
