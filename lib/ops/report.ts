/**
 * The load-test report: k6 summaries (written by the LoadTest script's `handleSummary`, format
 * {@link SUMMARY_FORMAT}) turned into one self-contained HTML page with inline SVG plots and no network access.
 * Pure: no cdk8s, no file system (lib/cli.ts reads and writes the files).
 */

/** The `format` field of a summary the LoadTest's k6 script writes. */
export const SUMMARY_FORMAT = 'tfserving-constructs/load-test-summary@1';

/** Latency statistics of the successful requests of one scenario, milliseconds. */
export interface LatencyStats {
  /** Mean. */
  readonly avg: number;
  /** Median. */
  readonly med: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 95th percentile. */
  readonly p95: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Maximum. */
  readonly max: number;
}

/** One measured scenario (warm-up scenarios are not listed). */
export interface ScenarioSummary {
  /** Scenario name, e.g. `grpc_b8`. */
  readonly name: string;
  /** `grpc` or `rest`. */
  readonly protocol: string;
  /** Examples per request. */
  readonly batchSize: number;
  /** k6 executor: `constant-vus`, `constant-arrival-rate` or `ramping-arrival-rate`. */
  readonly executor: string;
  /** Measured seconds. */
  readonly durationSeconds: number;
  /** Requests sent. */
  readonly requests: number;
  /** Requests that failed (non-200 / non-OK, timeouts). */
  readonly failed: number;
  /** Successful requests per second. */
  readonly okPerSecond: number;
  /** Arrival-rate scenarios: requests k6 could not start because every VU was busy (the rate was not reached). */
  readonly droppedIterations?: number;
  /** Latency of the successful requests only. */
  readonly latencyMs: LatencyStats;
  /** Whether every threshold of this scenario passed. */
  readonly thresholdsOk: boolean;
}

/** What the LoadTest's k6 script writes at the end of a run. */
export interface LoadTestSummary {
  /** Always {@link SUMMARY_FORMAT}. */
  readonly format: string;
  /** The LoadTest's Job name. */
  readonly loadTest: string;
  /** The model called. */
  readonly model: string;
  /** Key/value pairs from the LoadTest's `annotations` (an ExperimentMatrix records its variant here). */
  readonly annotations: Record<string, string>;
  /** The objectives the thresholds checked. */
  readonly objectives: { readonly latencyP99Ms?: number; readonly maxErrorRate: number };
  /** The measured scenarios. */
  readonly scenarios: ScenarioSummary[];
}

/** One point of the report: a variant at one protocol and batch size. */
export interface ReportPoint {
  /** The variant (annotation `variant`, else the LoadTest name). */
  readonly variant: string;
  /** `grpc` or `rest`. */
  readonly protocol: string;
  /** Examples per request. */
  readonly batchSize: number;
  /** Successful examples per second (requests × batch size). */
  readonly examplesPerSecond: number;
  /** Successful examples per second per CPU core of the variant (when annotated with `cpuMillis` and `replicas`). */
  readonly examplesPerSecondPerCore?: number;
  /** Latency percentiles of successful requests, ms. */
  readonly latencyMs: LatencyStats;
  /** Failed / sent. */
  readonly errorRate: number;
  /** Requests an arrival-rate scenario could not start (0 for closed loops). */
  readonly droppedIterations: number;
  /** Whether the point meets the objectives (p99 and error rate). */
  readonly meetsObjectives: boolean;
  /** Whether no other point has at least its throughput and at most its p99 latency, one of them strictly. */
  readonly pareto: boolean;
  /** The summary it came from. */
  readonly summary: LoadTestSummary;
}

/** Reads and checks one summary (JSON text); `source` names it in errors. */
export function parseSummary(text: string, source: string): LoadTestSummary {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  if (doc?.format !== SUMMARY_FORMAT) {
    throw new Error(`${source}: 'format' (${JSON.stringify(doc?.format)}) must be "${SUMMARY_FORMAT}": pass the JSON a LoadTest's k6 run printed`);
  }
  if (!Array.isArray(doc.scenarios)) throw new Error(`${source}: 'scenarios' must be a list`);
  return doc as LoadTestSummary;
}

/** The points of the report, in input order, with the Pareto front marked per protocol. */
export function reportPoints(summaries: LoadTestSummary[]): ReportPoint[] {
  const raw = summaries.flatMap((summary) => summary.scenarios.map((s) => {
    const a = summary.annotations ?? {};
    const examplesPerSecond = s.okPerSecond * s.batchSize;
    const cores = a.cpuMillis && a.replicas ? (Number(a.cpuMillis) / 1000) * Number(a.replicas) : undefined;
    const errorRate = s.requests === 0 ? 1 : s.failed / s.requests;
    const p99Ok = summary.objectives.latencyP99Ms === undefined || s.latencyMs.p99 <= summary.objectives.latencyP99Ms;
    return {
      variant: a.variant ?? summary.loadTest,
      protocol: s.protocol,
      batchSize: s.batchSize,
      examplesPerSecond,
      examplesPerSecondPerCore: cores ? examplesPerSecond / cores : undefined,
      latencyMs: s.latencyMs,
      errorRate,
      droppedIterations: s.droppedIterations ?? 0,
      meetsObjectives: p99Ok && errorRate <= summary.objectives.maxErrorRate && s.requests > 0,
      summary,
    };
  }));
  return raw.map((p) => ({
    ...p,
    pareto: !raw.some((q) => q !== p && q.protocol === p.protocol
      && q.examplesPerSecond >= p.examplesPerSecond && q.latencyMs.p99 <= p.latencyMs.p99
      && (q.examplesPerSecond > p.examplesPerSecond || q.latencyMs.p99 < p.latencyMs.p99)),
  }));
}

/**
 * The recommended point: among the points that meet their objectives, the most examples per second per core
 * (cost), then the most examples per second; undefined when none meets them.
 */
export function recommend(points: ReportPoint[]): ReportPoint | undefined {
  const ok = points.filter((p) => p.meetsObjectives);
  const key = (p: ReportPoint) => p.examplesPerSecondPerCore ?? p.examplesPerSecond;
  return ok.reduce<ReportPoint | undefined>((best, p) => (best === undefined || key(p) > key(best)
    || (key(p) === key(best) && p.examplesPerSecond > best.examplesPerSecond) ? p : best), undefined);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Fixed-precision number for the report (same input → same text). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** One scatter plot: x = examples/s, y = a latency percentile; a polyline per variant through its batch sizes. */
function plot(title: string, points: ReportPoint[], y: (p: ReportPoint) => number, variants: string[], objectiveMs?: number): string {
  const W = 640; const H = 360; const L = 60; const R = 20; const T = 30; const B = 45;
  const maxX = Math.max(1, ...points.map((p) => p.examplesPerSecond)) * 1.05;
  const maxY = Math.max(1, ...points.map(y), objectiveMs ?? 0) * 1.1;
  const sx = (v: number) => L + (v / maxX) * (W - L - R);
  const sy = (v: number) => H - B - (v / maxY) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`);
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  out.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const xv = (maxX * i) / 4; const yv = (maxY * i) / 4;
    out.push(`<text x="${fmt(sx(xv))}" y="${H - B + 15}" text-anchor="middle" font-size="10">${fmt(xv)}</text>`);
    out.push(`<text x="${L - 5}" y="${fmt(sy(yv) + 3)}" text-anchor="end" font-size="10">${fmt(yv)}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">successful examples per second</text>`);
  out.push(`<text x="14" y="${(T + H - B) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${(T + H - B) / 2})">ms</text>`);
  if (objectiveMs !== undefined) {
    out.push(`<line x1="${L}" y1="${fmt(sy(objectiveMs))}" x2="${W - R}" y2="${fmt(sy(objectiveMs))}" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  variants.forEach((v, i) => {
    const color = PALETTE[i % PALETTE.length];
    const mine = points.filter((p) => p.variant === v).sort((a, b) => a.batchSize - b.batchSize);
    if (mine.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" points="${mine.map((p) => `${fmt(sx(p.examplesPerSecond))},${fmt(sy(y(p)))}`).join(' ')}"/>`);
    }
    for (const p of mine) {
      const cx = fmt(sx(p.examplesPerSecond)); const cy = fmt(sy(y(p)));
      const shape = p.pareto
        ? `<rect x="${fmt(sx(p.examplesPerSecond) - 4)}" y="${fmt(sy(y(p)) - 4)}" width="8" height="8" fill="${color}" stroke="#000"/>`
        : `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${color}"/>`;
      out.push(`${shape}<text x="${cx}" y="${fmt(sy(y(p)) - 7)}" font-size="9" text-anchor="middle">b${p.batchSize}</text>`);
    }
  });
  out.push('</svg>');
  return out.join('\n');
}

/** The TypeScript props of a recommended variant, from the annotations the ExperimentMatrix records. */
export function recommendedProps(point: ReportPoint): string {
  const a = point.summary.annotations ?? {};
  if (a.props) return a.props;
  return `// ${point.variant}: no props recorded (a LoadTest outside an ExperimentMatrix)`;
}

/** The whole report: one HTML page, styles inline, plots as inline SVG, no scripts, no network. */
export function renderReport(summaries: LoadTestSummary[], title = 'TF Serving load-test report'): string {
  const points = reportPoints(summaries);
  const variants = [...new Set(points.map((p) => p.variant))];
  const protocols = [...new Set(points.map((p) => p.protocol))];
  const objectiveMs = summaries.map((s) => s.objectives.latencyP99Ms).find((v) => v !== undefined);
  const best = recommend(points);
  const html: string[] = [];
  html.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${esc(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}'
    + 'th{background:#eee}td.l{text-align:left}tr.fail td{color:#b00}pre{background:#f6f6f6;padding:1em}</style>', '</head><body>');
  html.push(`<h1>${esc(title)}</h1>`);
  html.push(`<p>${summaries.length} summaries, ${variants.length} variants, ${points.length} measured scenarios. Latency counts successful requests only; `
    + 'warm-up scenarios are excluded. Squares mark the Pareto front (no other point of the same protocol is both faster and has more throughput).</p>');
  html.push('<h2 id="recommendation">Recommendation</h2>');
  if (best) {
    html.push(`<p>Variant <b id="recommended-variant">${esc(best.variant)}</b> at batch size ${best.batchSize} over ${esc(best.protocol)}: `
      + `${fmt(best.examplesPerSecond)} examples/s, p99 ${fmt(best.latencyMs.p99)} ms, error rate ${fmt(best.errorRate * 100)} %`
      + `${best.examplesPerSecondPerCore !== undefined ? `, ${fmt(best.examplesPerSecondPerCore)} examples/s per core` : ''}.</p>`);
    html.push(`<pre id="recommended-props">${esc(recommendedProps(best))}</pre>`);
    const qpsPerReplica = (best.examplesPerSecond / best.batchSize) / Number(best.summary.annotations?.replicas ?? 1);
    html.push(`<p>For <code>planCapacity</code>: <code id="qps-per-replica">qpsPerReplica: ${fmt(qpsPerReplica)}</code> (requests per second per replica at this batch size).</p>`);
  } else {
    html.push('<p id="recommended-variant">No variant meets the objectives.</p>');
  }
  for (const protocol of protocols) {
    const mine = points.filter((p) => p.protocol === protocol);
    html.push(`<h2>${esc(protocol)}</h2>`);
    html.push(plot(`${protocol}: p99 latency vs throughput`, mine, (p) => p.latencyMs.p99, variants, objectiveMs));
    html.push(plot(`${protocol}: p50 latency vs throughput`, mine, (p) => p.latencyMs.med, variants));
  }
  html.push('<h2>All scenarios</h2>', '<table id="scenarios"><tr><th>variant</th><th>protocol</th><th>batch</th><th>examples/s</th><th>examples/s/core</th>'
    + '<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>errors %</th><th>dropped</th><th>objectives</th><th>Pareto</th></tr>');
  for (const p of points) {
    html.push(`<tr class="${p.meetsObjectives ? 'ok' : 'fail'}"><td class="l">${esc(p.variant)}</td><td class="l">${esc(p.protocol)}</td><td>${p.batchSize}</td>`
      + `<td>${fmt(p.examplesPerSecond)}</td><td>${p.examplesPerSecondPerCore === undefined ? '' : fmt(p.examplesPerSecondPerCore)}</td>`
      + `<td>${fmt(p.latencyMs.med)}</td><td>${fmt(p.latencyMs.p90)}</td><td>${fmt(p.latencyMs.p99)}</td><td>${fmt(p.errorRate * 100)}</td>`
      + `<td>${p.droppedIterations}</td>`
      + `<td class="l">${p.meetsObjectives ? 'met' : 'missed'}</td><td class="l">${p.pareto ? 'yes' : ''}</td></tr>`);
  }
  html.push('</table>');
  html.push('<h2>Legend</h2><ul>');
  variants.forEach((v, i) => html.push(`<li><span style="color:${PALETTE[i % PALETTE.length]}">■</span> ${esc(v)}</li>`));
  html.push('</ul></body></html>', '');
  return html.join('\n');
}
