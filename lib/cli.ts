#!/usr/bin/env node
/**
 * `npx tfserving-constructs <command> …`: the package's one command-line entry (package.json `bin`).
 *
 * Commands:
 *   report [-o report.html] [--title TEXT] SUMMARY...   k6 summaries of LoadTests (files, or Job logs holding one) →
 *                                                      a self-contained HTML report (inline SVG, no network)
 *   capture-to-tfrecord --output FILE [--model NAME] [--dtype NAME=DT_INT64 …] [--input-name NAME] [--output-name NAME] INPUT…
 *                                                      the records a RequestCapture wrote (files or folders, e.g. a
 *                                                      `gcloud storage cp -r` of the bucket prefix) → one TFRecord file
 *                                                      of tensorflow.serving.PredictionLog
 *   cold-start --size-gib N --tier TIER [--replicas N] [--gpu] [--image-preload MODE] [--node-gbps N]
 *                                                      planColdStart as a table: load time per tier, the recommended
 *                                                      tier, the startup probe, rollout deadline and HPA windows
 */
import * as fs from 'fs';
import { convertCaptureFiles } from './ops/capture-records';
import { LoadTestSummary, parseSummary, renderReport, SUMMARY_FORMAT } from './ops/report';
import { ImagePreload, MODEL_LOAD_TIERS, ModelLoadTier, planColdStart } from './serving/cold-start';
import type { TensorDataType } from './tfserving/prediction-log';

const REPORT_USAGE = `usage: tfserving-constructs report [-o report.html] [--title TEXT] SUMMARY.json...
  SUMMARY: the JSON a LoadTest's k6 run writes (its Job log, or the object-store copy)`;
const CAPTURE_USAGE = 'usage: tfserving-constructs capture-to-tfrecord --output FILE [--model NAME] [--dtype NAME=DT_FLOAT|DT_DOUBLE|DT_INT32|DT_INT64] '
  + '[--input-name NAME] [--output-name NAME] INPUT...';
const COLD_START_USAGE = `usage: tfserving-constructs cold-start --size-gib N --tier ${MODEL_LOAD_TIERS.join('|')} [--replicas N] [--gpu] `
  + '[--image-preload none|image-streaming|secondary-boot-disk] [--node-gbps N]';
const USAGE = `${REPORT_USAGE}\n${CAPTURE_USAGE}\n${COLD_START_USAGE}`;
const DTYPES = ['DT_FLOAT', 'DT_DOUBLE', 'DT_INT32', 'DT_INT64'];

type Write = (s: string) => void;

/** A summary from a file: the whole file, or the one line of a Job log that holds it. */
export function readSummary(file: string): LoadTestSummary {
  const text = fs.readFileSync(file, 'utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return parseSummary(trimmed, file);
  const line = text.split('\n').find((l) => l.includes(`"format":"${SUMMARY_FORMAT}"`));
  if (!line) throw new Error(`${file}: holds no line with "format":"${SUMMARY_FORMAT}"; pass a LoadTest's summary or Job log`);
  return parseSummary(line.slice(line.indexOf('{')), file);
}

/** Runs one command; returns the exit code. `out` and `err` receive text. */
export function main(argv: string[], out: Write = (s) => process.stdout.write(s), err: Write = (s) => process.stderr.write(s)): number {
  const [command, ...rest] = argv;
  if (command === 'report') return report(rest, out, err);
  if (command === 'capture-to-tfrecord') return captureToTfRecord(rest, out, err);
  if (command === 'cold-start') return coldStart(rest, out, err);
  err(`${command === undefined ? 'no command' : `unknown command '${command}'`}\n${USAGE}\n`);
  return 2;
}

function report(rest: string[], out: Write, err: Write): number {
  let output: string | undefined;
  let title: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-o' || rest[i] === '--output') output = rest[++i];
    else if (rest[i] === '--title') title = rest[++i];
    else files.push(rest[i]);
  }
  if (files.length === 0 || (output === undefined && rest.includes('-o'))) {
    err(`${REPORT_USAGE}\n`);
    return 2;
  }
  try {
    const html = renderReport(files.map(readSummary), title);
    if (output) {
      fs.writeFileSync(output, html);
      out(`wrote ${output}\n`);
    } else {
      out(html);
    }
    return 0;
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 1;
  }
}

function captureToTfRecord(rest: string[], out: Write, err: Write): number {
  let output: string | undefined;
  let model: string | undefined;
  let defaultInputName: string | undefined;
  let defaultOutputName: string | undefined;
  const dtypes: Record<string, TensorDataType> = {};
  const inputs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--output') {output = value();} else if (a === '--model') {model = value();} else if (a === '--input-name') {defaultInputName = value();} else if (a === '--output-name') {defaultOutputName = value();} else if (a === '--dtype') {
        const [name, dtype] = value().split('=');
        if (!name || !DTYPES.includes(dtype)) throw new Error(`--dtype takes NAME=${DTYPES.join('|')}`);
        dtypes[name] = dtype as TensorDataType;
      } else if (a.startsWith('--')) {throw new Error(`unknown option ${a}`);} else {inputs.push(a);}
    } catch (e) {
      err(`${(e as Error).message}\n${CAPTURE_USAGE}\n`);
      return 2;
    }
  }
  if (!output || inputs.length === 0) {
    err(`${CAPTURE_USAGE}\n`);
    return 2;
  }
  let result;
  try {
    result = convertCaptureFiles(inputs, output, { model, dtypes, defaultInputName, defaultOutputName });
  } catch (e) {
    err(`capture-to-tfrecord: ${(e as Error).message}\n`);
    return 1;
  }
  out(`${result.logs.length} PredictionLog records written to ${output}; ${result.unpaired.length} unpaired, ${result.skipped.length} skipped\n`);
  for (const s of result.skipped) err(`skipped ${s.id}: ${s.reason}\n`);
  return 0;
}

function coldStart(rest: string[], out: Write, err: Write): number {
  const o: { size?: number; tier?: string; replicas?: number; gpu?: boolean; preload?: string; gbps?: number } = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const num = () => Number(rest[++i]);
    switch (a) {
      case '--size-gib': o.size = num(); break;
      case '--tier': o.tier = rest[++i]; break;
      case '--replicas': o.replicas = num(); break;
      case '--gpu': o.gpu = true; break;
      case '--image-preload': o.preload = rest[++i]; break;
      case '--node-gbps': o.gbps = num(); break;
      default:
        err(`unknown option ${a}\n${COLD_START_USAGE}\n`);
        return 2;
    }
  }
  if (o.size === undefined || o.tier === undefined) {
    err(`${COLD_START_USAGE}\n`);
    return 2;
  }
  try {
    const plan = planColdStart({
      modelSizeGiB: o.size, tier: o.tier as ModelLoadTier, replicas: o.replicas, gpu: o.gpu,
      imagePreload: o.preload as ImagePreload | undefined, nodeBandwidthGbps: o.gbps,
    });
    const rows = plan.estimates.map((e) => [e.tier, e.throughputMiBps.toFixed(1), e.imagePullSeconds.toFixed(1), e.modelLoadSeconds.toFixed(1),
      e.totalSeconds.toFixed(1), e.tier === plan.tier ? '<- current' : e.tier === plan.recommendedTier ? '<- recommended' : '']);
    const table = [['tier', 'MiB/s', 'pull s', 'load s', 'total s', ''], ...rows]
      .map((r) => `${r[0].padEnd(20)}${r.slice(1, 5).map((c) => c.padStart(9)).join('')}  ${r[5]}`.trimEnd()).join('\n');
    out(`${table}\n`
      + `recommended tier: ${plan.recommendedTier}\n`
      + `startup budget: ${plan.startupBudgetSeconds} s (startupProbe periodSeconds ${plan.startupProbe.periodSeconds}, failureThreshold ${plan.startupProbe.failureThreshold})\n`
      + `progressDeadlineSeconds: ${plan.progressDeadlineSeconds}\n`
      + `HPA stabilization: scale-up ${plan.scaleUpStabilizationSeconds} s, scale-down ${plan.scaleDownStabilizationSeconds} s\n`);
    return 0;
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
