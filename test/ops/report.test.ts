import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { main, readSummary } from '../../lib/cli';
import { fmt, LoadTestSummary, parseSummary, recommend, renderReport, reportPoints } from '../../lib/ops/report';

const DIR = path.join(__dirname, '..', '..', 'examples', 'experiment-matrix', 'summaries');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(DIR, f));
const SUMMARIES: LoadTestSummary[] = FILES.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));

/** The rows of the report's scenario table, as text cells. */
function tableRows(html: string): string[][] {
  const table = html.slice(html.indexOf('<table id="scenarios">'), html.indexOf('</table>'));
  return [...table.matchAll(/<tr class="[a-z]+">(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
}

test('the report of the example summaries: one row per measured scenario, numbers from the summaries', () => {
  const html = renderReport(SUMMARIES);
  const rows = tableRows(html);
  const expected = SUMMARIES.flatMap((s) => s.scenarios.map((sc) => {
    const cores = (Number(s.annotations.cpuMillis) / 1000) * Number(s.annotations.replicas);
    return [
      s.annotations.variant, sc.protocol, String(sc.batchSize), fmt(sc.okPerSecond * sc.batchSize), fmt((sc.okPerSecond * sc.batchSize) / cores),
      fmt(sc.latencyMs.med), fmt(sc.latencyMs.p90), fmt(sc.latencyMs.p99), fmt((sc.failed / sc.requests) * 100), String(sc.droppedIterations ?? 0),
    ];
  }));
  expect(rows.map((r) => r.slice(0, 10))).toEqual(expected);
  expect(rows).toHaveLength(8);
  // The c2 unbatched variant's b1 run lost 30 of 2286 requests (1.3 % > 1 %); the c2 b8 runs have p99 250 and 320 ms > 200 ms.
  expect(rows.filter((r) => r[10] === 'missed').map((r) => `${r[0]} b${r[2]}`)).toEqual([
    'resnet-c2-i1-bb32-r1 b8', 'resnet-c2-i1-boff-r1 b1', 'resnet-c2-i1-boff-r1 b8',
  ]);
});

test('the Pareto front and the recommendation', () => {
  const points = reportPoints(SUMMARIES);
  // No other gRPC point has both more throughput and a lower p99.
  expect(points.filter((p) => p.pareto).map((p) => `${p.variant} b${p.batchSize}`)).toEqual([
    'resnet-c4-i2-bb32-r1 b1', 'resnet-c4-i2-bb32-r1 b8', 'resnet-c4-i2-boff-r1 b1',
  ]);
  const best = recommend(points)!;
  // Most examples/s per core within the objectives: 19.5 × 8 / 4 = 39.0 (c2 batched at b8 would give 39.2 but misses p99).
  expect([best.variant, best.batchSize, best.examplesPerSecondPerCore]).toEqual(['resnet-c4-i2-bb32-r1', 8, 39]);
  const html = renderReport(SUMMARIES);
  expect(html).toContain('<b id="recommended-variant">resnet-c4-i2-bb32-r1</b> at batch size 8 over grpc: 156 examples/s, p99 160 ms');
  expect(html).toContain('batching: new BatchingConfig({ maxBatchSize: 32, batchTimeout: Duration.millis(1) }),');
  expect(html).toContain('<code id="qps-per-replica">qpsPerReplica: 19.5</code>');
});

test('the report is self-contained and deterministic: inline SVG, no scripts, no links out', () => {
  const html = renderReport(SUMMARIES);
  expect(html).toBe(renderReport(SUMMARIES));
  expect(html.match(/<svg /g)).toHaveLength(2);
  expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/);
  expect(html.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']);
});

test('no variant meets the objectives: the report says so', () => {
  const strict = SUMMARIES.map((s) => ({ ...s, objectives: { latencyP99Ms: 1, maxErrorRate: 0 } }));
  expect(recommend(reportPoints(strict))).toBeUndefined();
  expect(renderReport(strict)).toContain('<p id="recommended-variant">No variant meets the objectives.</p>');
});

test('the sample summaries are those the example matrix would write: its variants, annotations and objectives', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-matrix-'));
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'node_modules/tsx/dist/cli.mjs'), 'main.ts'], {
    cwd: path.join(DIR, '..'), env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: 'pipe',
  });
  const objects = parseAllDocuments(fs.readFileSync(path.join(outdir, 'experiment-matrix.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
  for (const s of SUMMARIES) {
    const cfg = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${s.loadTest}-k6`).data['loadtest.json']);
    expect([s.model, s.annotations, s.objectives]).toEqual([cfg.model, cfg.annotations, cfg.objectives]);
    expect(s.scenarios.map((x) => x.name)).toEqual(cfg.scenarios.filter((x: any) => !x.warmup).map((x: any) => x.name));
  }
}, 60_000);

test('examples/experiment-matrix/report.html is the report of the sample summaries', () => {
  expect(fs.readFileSync(path.join(DIR, '..', 'report.html'), 'utf8')).toBe(renderReport(SUMMARIES));
});

describe('npx tfserving-constructs report', () => {
  test('writes the HTML report for the given summaries', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'report-')), 'report.html');
    const said: string[] = [];
    expect(main(['report', '-o', out, ...FILES], (s) => said.push(s), (s) => said.push(s))).toBe(0);
    expect(said).toEqual([`wrote ${out}\n`]);
    expect(fs.readFileSync(out, 'utf8')).toBe(renderReport(SUMMARIES));
  });

  test('reads a summary out of a Job log', () => {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'report-')), 'job.log');
    fs.writeFileSync(log, `time="…" level=warning msg="something"\n${JSON.stringify(SUMMARIES[0])}\n`);
    expect(readSummary(log)).toEqual(SUMMARIES[0]);
  });

  test('refuses what is not a summary, and unknown commands', () => {
    expect(() => parseSummary('{"format":"k6"}', 'x.json')).toThrow(
      'x.json: \'format\' ("k6") must be "tfserving-constructs/load-test-summary@1": pass the JSON a LoadTest\'s k6 run printed');
    const err: string[] = [];
    expect(main(['plot'], () => undefined, (s) => err.push(s))).toBe(2);
    expect(err.join('')).toMatch(/^unknown command 'plot'\nusage: tfserving-constructs report/);
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'report-')), 'bad.json');
    fs.writeFileSync(bad, '{"format":"k6"}');
    const err2: string[] = [];
    expect(main(['report', bad], () => undefined, (s) => err2.push(s))).toBe(1);
    expect(err2).toEqual([`${bad}: 'format' ("k6") must be "tfserving-constructs/load-test-summary@1": pass the JSON a LoadTest's k6 run printed\n`]);
  });
});
