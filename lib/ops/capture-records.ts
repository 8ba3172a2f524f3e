import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { encodePredictionLog, parsePredictRequest, parsePredictResponse, RestTensorOptions } from '../tfserving/prediction-log';
import { tfRecordFile } from '../tfserving/tfrecord';

/**
 * One captured message, as `RequestCapture` writes it (one JSON object per line, see {@link RequestCapture}), or as
 * KServe's agent writes it to blob storage itself (`LogRequest` JSON: `reqType`, base64 `bytes`, `inferenceService`).
 */
export interface CaptureRecord {
  /** The CloudEvent id the agent gave the request; its response has the same id. */
  readonly id: string;
  /** Which half of the call. */
  readonly kind: 'request' | 'response';
  /** The model the server was asked about. */
  readonly model: string;
  /** The version label the capture was partitioned under. */
  readonly version?: string;
  /** The share of calls captured (0–1). */
  readonly sampleRate?: number;
  /** When the agent saw the message (RFC 3339). */
  readonly time?: string;
  /** The HTTP body, as text. */
  readonly body: string;
}

/** Reads capture records from one file's bytes (ndjson or a JSON object/array; gzip detected by its magic bytes). */
export function parseCaptureFile(data: Buffer): CaptureRecord[] {
  const text = (data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data).toString('utf8');
  const trimmed = text.trim();
  if (!trimmed) return [];
  let values: unknown[];
  if (trimmed.startsWith('[')) {
    values = JSON.parse(trimmed);
  } else {
    values = trimmed.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }
  return values.map(toRecord);
}

function toRecord(v: unknown): CaptureRecord {
  const o = v as Record<string, any>;
  if (typeof o.reqType === 'string') {
    // KServe LogRequest (pkg/logger/types.go): reqType org.kubeflow.serving.inference.{request,response}, bytes base64.
    return {
      id: String(o.id),
      kind: o.reqType.endsWith('.response') ? 'response' : 'request',
      model: String(o.inferenceService ?? ''),
      version: o.component || undefined,
      time: o.occurrenceTime,
      body: o.bytes ? Buffer.from(String(o.bytes), 'base64').toString('utf8') : '',
    };
  }
  if (typeof o.id !== 'string' || (o.kind !== 'request' && o.kind !== 'response') || typeof o.body !== 'string') {
    throw new Error(`not a capture record (needs id, kind 'request'|'response' and body): ${JSON.stringify(v).slice(0, 200)}`);
  }
  return {
    id: o.id, kind: o.kind, model: String(o.model ?? ''), version: o.version, time: o.time ?? o.timestamp,
    sampleRate: typeof o.sampleRate === 'number' ? o.sampleRate : undefined, body: o.body,
  };
}

/** Options of {@link captureToPredictionLogs}. */
export interface CaptureConversionOptions extends RestTensorOptions {
  /**
   * Keep only the calls of this model.
   *
   * @default - every model
   */
  readonly model?: string;
}

/** What a conversion did. */
export interface CaptureConversion {
  /** The serialized `PredictionLog`s, ordered by request time, then id. */
  readonly logs: Uint8Array[];
  /** Request ids whose response is missing (sampled out, over the size cap, or not a 200), or the reverse. */
  readonly unpaired: string[];
  /** Calls that are not REST predict calls (classify, regress, metadata), or whose bodies did not parse, with why. */
  readonly skipped: Array<{ id: string; reason: string }>;
}

/**
 * Pairs captured requests and responses by id and turns each REST predict call into a `PredictionLog`.
 */
export function captureToPredictionLogs(records: CaptureRecord[], options: CaptureConversionOptions = {}): CaptureConversion {
  const byId = new Map<string, { request?: CaptureRecord; response?: CaptureRecord }>();
  for (const r of records) {
    if (options.model && r.model !== options.model) continue;
    const pair = byId.get(r.id) ?? {};
    pair[r.kind] = r;
    byId.set(r.id, pair);
  }
  const unpaired: string[] = [];
  const skipped: Array<{ id: string; reason: string }> = [];
  const entries: Array<{ key: string; log: Uint8Array }> = [];
  for (const [id, { request, response }] of [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!request || !response) {
      unpaired.push(id);
      continue;
    }
    try {
      const req = parsePredictRequest(JSON.parse(request.body), options);
      const outputs = parsePredictResponse(JSON.parse(response.body), options);
      const ms = request.time ? Date.parse(request.time) : NaN;
      const version = request.version !== undefined && /^\d+$/.test(request.version) ? Number(request.version) : undefined;
      entries.push({
        key: `${Number.isNaN(ms) ? '' : new Date(ms).toISOString()}|${id}`,
        log: encodePredictionLog({
          modelName: request.model, modelVersion: version, signatureName: req.signatureName, inputs: req.inputs, outputs,
          timestampSecs: Number.isNaN(ms) ? undefined : Math.floor(ms / 1000), samplingRate: request.sampleRate,
        }),
      });
    } catch (e) {
      skipped.push({ id, reason: (e as Error).message });
    }
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { logs: entries.map((e) => e.log), unpaired, skipped };
}

/** Files under `inputs` (files or folders, walked recursively in name order). */
export function captureFiles(inputs: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    if (fs.statSync(p).isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name));
    } else {
      out.push(p);
    }
  };
  inputs.forEach(visit);
  return out;
}

/**
 * Reads capture files (or folders of them) and writes one TFRecord file of `tensorflow.serving.PredictionLog`:
 * the format of TF Serving warmup files (`assets.extra/tf_serving_warmup_requests`) and of TFX's PredictionLog
 * inputs.
 */
export function convertCaptureFiles(inputs: string[], output: string, options: CaptureConversionOptions = {}): CaptureConversion {
  const records = captureFiles(inputs).flatMap((f) => parseCaptureFile(fs.readFileSync(f)));
  const result = captureToPredictionLogs(records, options);
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  fs.writeFileSync(output, tfRecordFile(result.logs));
  return result;
}
