// Report benchmark: view-model and HTML generation time and HTML size for 10k / 100k / 1M-event
// synthetic traces, and time to first render of the 100k report in headless Chromium.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TraceEvent, TraceHeader, TraceRecord } from '../core/index.js';
import { buildViewModel, renderModel } from '../viz/index.js';

export interface VizBenchRow {
  readonly events: number;
  readonly nodes: number;
  readonly frames: number;
  readonly modelMs: number;
  readonly htmlMs: number;
  readonly htmlMiB: number;
  /** Navigation start → report drawn and interactive, in headless Chromium ('' when not measured). */
  readonly firstRenderMs: number | string;
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SIZES = [10_000, 100_000, 1_000_000] as const;
const FIRST_RENDER_SIZE = 100_000;

/** A synthetic ping/echo trace of about `eventCount` events on `nodeCount` nodes in a ring with
 *  chords: 2% loss, one crash and restart. Deterministic (own LCG). */
export function syntheticTrace(eventCount: number, nodeCount = 48): { header: TraceHeader; events: TraceEvent[] } {
  let state = 12345;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const names = Array.from({ length: nodeCount }, (_, index) => `n${index}`);
  const header: TraceHeader = {
    format: 'netmachine-trace',
    version: 1,
    backend: 'sim',
    seed: 1,
    scenario: { name: `synthetic ${eventCount.toLocaleString('en-US')} events` },
    started: 0,
    crypto: 'sim-keyed',
    nodes: Object.fromEntries(names.map((name, index) => [name, index.toString(16).padStart(64, '0')])),
    engines: {},
  };
  const records: TraceRecord[] = [];
  const crashed = names[3]!;
  const durationMs = eventCount / 20; // about 20 events per ms across the network
  let id = 0;
  for (let t = 0; records.length < eventCount; t += durationMs / (eventCount / 10)) {
    const from = Math.floor(random() * nodeCount);
    const to = (from + (random() < 0.7 ? 1 : 7)) % nodeCount;
    const [a, b] = [names[from]!, names[to]!];
    const ping = `${from.toString(16).padStart(12, '0')}:${++id}`;
    const latencyMs = 5 + random() * 20;
    records.push({ t, kind: 'timer', node: a, engine: 'ping', text: 'ping' });
    records.push({ t, kind: 'send', node: a, engine: 'ping', msg: ping, dst: 'engine', to: `${b}/echo`, bytes: 48 });
    records.push({ t, kind: 'transmit', node: a, msg: ping, peer: b, bytes: 368 });
    const isDown = b === crashed && t > durationMs * 0.4 && t < durationMs * 0.6;
    if (random() < 0.02) {
      records.push({ t, kind: 'drop', node: a, msg: ping, peer: b, bytes: 368, reason: 'loss' });
      continue;
    }
    if (isDown) {
      records.push({ t: t + latencyMs, kind: 'drop', node: b, msg: ping, peer: a, bytes: 368, reason: 'crashed' });
      continue;
    }
    const echo = `${to.toString(16).padStart(12, '0')}:${++id}`;
    const t1 = t + latencyMs;
    records.push({ t: t1, kind: 'receive', node: b, msg: ping, peer: a, bytes: 368 });
    records.push({ t: t1, kind: 'deliver', node: b, engine: 'echo', msg: ping, bytes: 48, peer: a });
    records.push({ t: t1, kind: 'send', node: b, engine: 'echo', msg: echo, dst: 'engine', to: `${a}/ping`, bytes: 48, cause: ping });
    records.push({ t: t1, kind: 'transmit', node: b, msg: echo, peer: a, bytes: 369 });
    const t2 = t1 + latencyMs;
    records.push({ t: t2, kind: 'receive', node: a, msg: echo, peer: b, bytes: 369 });
    records.push({ t: t2, kind: 'deliver', node: a, engine: 'ping', msg: echo, bytes: 48, peer: b });
    records.push({ t: t2, kind: 'log', node: a, engine: 'ping', text: 'rtt', data: { rttMs: t2 - t }, cause: echo });
  }
  records.push({ t: durationMs * 0.4, kind: 'crash', node: crashed }, { t: durationMs * 0.6, kind: 'restart', node: crashed });
  records.sort((x, y) => x.t - y.t);
  return { header, events: records.slice(0, eventCount).map((record, seq) => ({ ...record, seq })) };
}

/** Milliseconds `run` took (wall clock; this is a benchmark, not simulation code). */
function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
}

/** Loads `html` in headless Chromium; resolves to the page's ready time since navigation start. */
async function firstRenderMs(html: string): Promise<number | string> {
  if (!existsSync(CHROMIUM)) return 'no chromium';
  const { chromium } = await import('playwright-core');
  const directory = mkdtempSync(join(tmpdir(), 'netmachine-bench-viz-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const file = join(directory, 'report.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1480, height: 1100 } });
    await page.goto(pathToFileURL(file).href, { timeout: 120_000 });
    await page.waitForFunction(() => (window as unknown as { __netmachine?: { ready: boolean } }).__netmachine?.ready === true, null, { timeout: 120_000 });
    return Math.round(await page.evaluate(() => (window as unknown as { __netmachine: { readyAtMs: number } }).__netmachine.readyAtMs));
  } finally {
    await browser.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** One row per trace size. */
export async function benchViz(): Promise<VizBenchRow[]> {
  const rows: VizBenchRow[] = [];
  const warmUp = syntheticTrace(1000);
  renderModel(buildViewModel(warmUp.header, warmUp.events), warmUp.header); // reads D3 and the assets once
  for (const size of SIZES) {
    const { header, events } = syntheticTrace(size);
    const [model, modelMs] = timed(() => buildViewModel(header, events));
    const [html, htmlMs] = timed(() => renderModel(model, header));
    rows.push({
      events: size,
      nodes: model.nodes.length,
      frames: model.flights.length,
      modelMs: Math.round(modelMs),
      htmlMs: Math.round(htmlMs),
      htmlMiB: Math.round((Buffer.byteLength(html) / 2 ** 20) * 10) / 10,
      firstRenderMs: size === FIRST_RENDER_SIZE ? await firstRenderMs(html) : '',
    });
  }
  return rows;
}
