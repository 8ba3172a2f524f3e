#!/usr/bin/env node
/**
 * `npx tfserving-constructs <command>`.
 *
 *   capture-to-tfrecord --output FILE [--model NAME] [--dtype NAME=DT_INT64 …] [--input-name NAME] [--output-name NAME] INPUT…
 *
 * turns the records a RequestCapture wrote (files or folders, e.g. a `gcloud storage cp -r` of the bucket prefix)
 * into one TFRecord file of tensorflow.serving.PredictionLog.
 */
import { convertCaptureFiles } from './ops/capture-records';
import type { TensorDataType } from './tfserving/prediction-log';

const USAGE = 'usage: tfserving-constructs capture-to-tfrecord --output FILE [--model NAME] [--dtype NAME=DT_FLOAT|DT_DOUBLE|DT_INT32|DT_INT64] '
  + '[--input-name NAME] [--output-name NAME] INPUT...';
const DTYPES = ['DT_FLOAT', 'DT_DOUBLE', 'DT_INT32', 'DT_INT64'];

/** Runs the command line; returns the exit code and writes to the given streams. */
export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const [command, ...rest] = argv;
  if (command !== 'capture-to-tfrecord') {
    err(`${USAGE}\n`);
    return 2;
  }
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
      if (a === '--output') output = value();
      else if (a === '--model') model = value();
      else if (a === '--input-name') defaultInputName = value();
      else if (a === '--output-name') defaultOutputName = value();
      else if (a === '--dtype') {
        const [name, dtype] = value().split('=');
        if (!name || !DTYPES.includes(dtype)) throw new Error(`--dtype takes NAME=${DTYPES.join('|')}`);
        dtypes[name] = dtype as TensorDataType;
      } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
      else inputs.push(a);
    } catch (e) {
      err(`${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
  }
  if (!output || inputs.length === 0) {
    err(`${USAGE}\n`);
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

if (require.main === module) process.exitCode = main(process.argv.slice(2));
