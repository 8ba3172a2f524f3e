#!/usr/bin/env node
/**
 * `npx tfserving-constructs <command> …`: the package's one command-line entry (package.json `bin`).
 *
 * Commands:
 *   report [-o report.html] [--title TEXT] SUMMARY...   k6 summaries of LoadTests (files, or Job logs holding one) →
 *                                                      a self-contained HTML report (inline SVG, no network)
 */
import * as fs from 'fs';
import { LoadTestSummary, parseSummary, renderReport, SUMMARY_FORMAT } from './ops/report';

const USAGE = `usage: tfserving-constructs report [-o report.html] [--title TEXT] SUMMARY.json...
  SUMMARY: the JSON a LoadTest's k6 run writes (its Job log, or the object-store copy)`;

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
export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const [command, ...rest] = argv;
  if (command !== 'report') {
    err(`${command === undefined ? 'no command' : `unknown command '${command}'`}\n${USAGE}\n`);
    return 2;
  }
  let output: string | undefined;
  let title: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-o' || rest[i] === '--output') output = rest[++i];
    else if (rest[i] === '--title') title = rest[++i];
    else files.push(rest[i]);
  }
  if (files.length === 0 || (output === undefined && rest.includes('-o'))) {
    err(`${USAGE}\n`);
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

if (require.main === module) process.exitCode = main(process.argv.slice(2));
