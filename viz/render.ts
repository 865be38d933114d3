// trace → one self-contained HTML file: the data as columnar JSON, D3 and the report script inlined,
// so it opens from file:// with no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TraceEvent, TraceHeader } from '../core/trace.js';
import { encodeModel, scriptSafeJson, scriptSafeSource } from './encode.js';
import { REPORT_LIMITS, type ReportLimits } from './limits.js';
import { latencyPercentiles } from './stats.js';
import type { ViewModel } from './types.js';
import { buildViewModel } from './view-model.js';

/** Browser scripts, concatenated in this order inside one function scope. */
const SCRIPT_FILES = ['data.js', 'filters.js', 'topology.js', 'timespace.js', 'stats.js', 'main.js'] as const;

export interface ReportOptions {
  /** Page title; defaults to the scenario name in the header, else "netmachine trace". */
  readonly title?: string;
  /** Raised report limits (a trace beyond them is refused with a clear message). */
  readonly limits?: Partial<ReportLimits>;
}

/** A report could not be built (its assets are missing). */
export class VizError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'VizError';
    this.code = code;
  }
}

let assets: { d3: string; script: string; css: string } | undefined;

function loadAssets(): { d3: string; script: string; css: string } {
  if (assets !== undefined) return assets;
  const read = (url: URL | string, what: string): string => {
    try {
      return readFileSync(url, 'utf8');
    } catch (error) {
      throw new VizError('viz/missing-asset', `cannot read ${what}: ${(error as Error).message}`);
    }
  };
  // d3's package exports hide `dist/d3.min.js`; its main entry sits in the same folder.
  const d3Path = join(dirname(createRequire(import.meta.url).resolve('d3')), 'd3.min.js');
  const script = SCRIPT_FILES.map((file) => read(new URL(`./assets/${file}`, import.meta.url), file)).join('\n');
  assets = {
    d3: read(d3Path, 'd3/dist/d3.min.js'),
    script: `(function () {\n'use strict';\n${script}\n})();`,
    css: read(new URL('./assets/report.css', import.meta.url), 'report.css'),
  };
  return assets;
}

/** Renders the report of a trace as a single self-contained HTML string. */
export function renderReport(header: TraceHeader, events: ReadonlyArray<TraceEvent>, options: ReportOptions = {}): string {
  const limits = { ...REPORT_LIMITS, ...options.limits };
  if (events.length > limits.events) throw new VizError('viz/too-many-events', `the trace has ${events.length.toLocaleString('en-US')} events, more than the ${limits.events.toLocaleString('en-US')} a report draws (cut the trace, or raise the report's events limit)`);
  const nodes = Object.keys(header.nodes).length;
  if (nodes > limits.nodes) throw new VizError('viz/too-many-nodes', `the trace header lists ${nodes.toLocaleString('en-US')} nodes, more than the ${limits.nodes.toLocaleString('en-US')} a report draws`);
  const model = buildViewModel(header, events, limits);
  if (model.nodes.length > limits.nodes) throw new VizError('viz/too-many-nodes', `the trace's events name ${model.nodes.length.toLocaleString('en-US')} nodes, more than the ${limits.nodes.toLocaleString('en-US')} a report draws`);
  return renderModel(model, header, options);
}

/** Renders an already built view model (the benchmark times the two steps apart). */
export function renderModel(model: ViewModel, header: TraceHeader, options: ReportOptions = {}): string {
  const { d3, script, css } = loadAssets();
  const title = (options.title ?? scenarioName(header.scenario) ?? 'netmachine trace').slice(0, REPORT_LIMITS.fieldChars);
  const data = encodeModel(model, { title, backend: header.backend, seed: header.seed });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netmachine viz">
<title>${escapeHtml(title)} · netmachine report</title>
<style>${css}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(summaryLine(model, header))}</p>${model.skipped.length === 0 ? '' : `<p class="notice" id="skipped">Not drawn: ${model.skipped.map(escapeHtml).join('; ')}.</p>`}</header>
<main id="app">
<section class="panel" id="filters-panel"><h2>Filters</h2><div id="filters"></div></section>
<section class="panel"><h2>Topology <small>(link width = frames; click a node to hide or show it)</small></h2><div id="topology"></div>
<div class="legend-row"><span><i style="background:#59a14f"></i>up</span><span><i style="background:#e15759"></i>crashed</span><span><i style="background:#f28e2b"></i>partition group ring</span><span><i style="background:#4e79a7"></i>message in flight</span>${model.connectionPairs.length === 0 ? '' : '<span><i style="background:#2f9e44"></i>connection open at this time</span><span><i style="background:#7048e8"></i>half-open (one end: the other crashed or closed)</span>'}</div></section>
<section class="panel"><h2>Time-space diagram <small>(lane per node, time downward)</small></h2><div id="timespace"></div>
<p class="notice" id="timespace-notice"></p><p class="notice" id="selection"></p>
<div class="legend-row"><span><i style="background:#4e79a7"></i>delivered</span><span><i style="background:#e15759"></i>dropped (× colour = reason)</span><span><i style="background:#9aa0a6"></i>in flight at trace end</span><span><i style="background:rgba(225,87,89,0.55)"></i>node crashed</span><span><i style="background:rgba(237,201,72,0.5)"></i>partition</span><span><i style="background:#8a8f96"></i>timer</span></div></section>
<section class="panel" id="timeline-panel"><div id="timeline"></div></section>
<section class="panel" id="stats-panel"><h2>Statistics <small>(filtered, aggregated into time and value bins)</small></h2><div id="stats"></div></section>
</main>
<div id="tooltip" hidden></div>
<noscript>This report needs JavaScript.</noscript>
<script id="netmachine-data" type="application/json">${scriptSafeJson(data)}</script>
<script>${scriptSafeSource(d3)}</script>
<script>${scriptSafeSource(script)}</script>
</body>
</html>
`;
}

function summaryLine(model: ViewModel, header: TraceHeader): string {
  const latency = latencyPercentiles(model);
  const parts = [
    `${header.backend} · seed ${header.seed}`,
    `${model.counts.events.toLocaleString('en-US')} events`,
    `${model.nodes.length} nodes`,
    `${model.counts.messages.toLocaleString('en-US')} messages`,
    `${model.counts.flights.toLocaleString('en-US')} frames`,
    `${model.counts.delivered.toLocaleString('en-US')} delivered`,
    `${model.counts.dropped.toLocaleString('en-US')} dropped`,
    `${(model.endMs - model.startMs).toFixed(1)} ms`,
  ];
  if (latency !== undefined) parts.push(`latency p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms`);
  return parts.join(' · ');
}

function scenarioName(scenario: unknown): string | undefined {
  if (typeof scenario !== 'object' || scenario === null) return undefined;
  const name = (scenario as Record<string, unknown>)['name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
