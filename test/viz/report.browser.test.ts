// Opens a report of a simulated run in Debian's Chromium (never a downloaded browser) and checks what
// it draws. Skipped only when /usr/bin/chromium is absent; .ci/run installs it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../viz/index.js';
import { CRASH_MS, PARTITION_MS, RESTART_MS, ringTrace } from './scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!HAS_CHROMIUM) console.warn(`report browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

interface ReportCounts {
  readonly nodes: number;
  readonly connectionsOpen: number;
  readonly connectionsHalfOpen: number;
  readonly arrows: number;
  readonly arrowsDrawn: number;
  readonly arrowsInView: number;
}

describe.skipIf(!HAS_CHROMIUM)(`report in headless Chromium (needs ${CHROMIUM})`, () => {
  const trace = ringTrace();
  const transmits = trace.events.filter((event) => event.kind === 'transmit');
  let directory: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const counts = (): Promise<ReportCounts> => page.evaluate(() => (window as unknown as { __netmachine: { counts: ReportCounts } }).__netmachine.counts);
  const nodeState = (name: string): Promise<string | null> => page.locator(`#topology .node[data-node="${name}"]`).getAttribute('data-state');
  const scrub = (t: number): Promise<void> =>
    page.locator('#scrub').evaluate((input: HTMLInputElement, value: number) => {
      input.value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, t);

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'netmachine-viz-'));
    const file = join(directory, 'report.html');
    writeFileSync(file, renderReport(trace.header, trace.events, { title: 'Ring of six: ping + echo, crash, partition' }));
    // launch() gives every run a fresh temporary profile (user data dir) and deletes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1480, height: 1120 } });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) errors.push(`network request to ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (window as unknown as { __netmachine?: { ready: boolean } }).__netmachine?.ready === true);
  });

  afterAll(async () => {
    await browser?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('loads from file:// without console errors or network requests', () => {
    expect(errors).toEqual([]);
  });

  it('draws every node and one arrow per transmitted frame', async () => {
    expect(await page.locator('#topology .node').count()).toBe(Object.keys(trace.header.nodes).length);
    const drawn = await counts();
    expect(drawn.nodes).toBe(6);
    expect(drawn.arrows).toBe(transmits.length);
    expect(drawn.arrowsDrawn).toBe(transmits.length);
    expect(await page.locator('#timespace').getAttribute('data-arrows-drawn')).toBe(String(transmits.length));
    const stats = await page.evaluate(() => (window as unknown as { __netmachine: { stats: { delivered: number; dropped: number } } }).__netmachine.stats);
    expect(stats).toEqual({
      delivered: trace.events.filter((event) => event.kind === 'deliver').length,
      dropped: trace.events.filter((event) => event.kind === 'drop').length,
    });
  });

  it('applies a node filter to the arrows (traffic among the selected nodes)', async () => {
    await page.locator('input[data-filter="node"][value="n2"]').uncheck();
    const withoutN2 = transmits.filter((event) => event.node !== 'n2' && event.peer !== 'n2').length;
    expect(withoutN2).toBeLessThan(transmits.length);
    expect(await counts()).toMatchObject({ arrows: withoutN2, arrowsDrawn: withoutN2 });
    await page.locator('fieldset[data-filter-group="node"] button[data-none="node"]').click();
    expect((await counts()).arrows).toBe(0);
    await page.locator('input[data-filter="node"][value="n0"]').check();
    await page.locator('input[data-filter="node"][value="n1"]').check();
    const betweenN0N1 = transmits.filter((event) => [event.node, event.peer].sort().join() === 'n0,n1').length;
    expect(betweenN0N1).toBeGreaterThan(0);
    expect(await counts()).toMatchObject({ arrows: betweenN0N1, arrowsDrawn: betweenN0N1 });
    await page.locator('fieldset[data-filter-group="node"] button[data-all="node"]').click();
    expect((await counts()).arrows).toBe(transmits.length);
  });

  it('shows the crashed node as crashed once the timeline passes the crash', async () => {
    await scrub(CRASH_MS - 1);
    expect(await nodeState('n2')).toBe('up');
    await scrub(CRASH_MS + 50);
    expect(await nodeState('n2')).toBe('crashed');
    expect(await nodeState('n1')).toBe('up');
    await scrub(RESTART_MS + 1);
    expect(await nodeState('n2')).toBe('up');
    await scrub(PARTITION_MS + 50);
    expect(await page.locator('#topology .node[data-node="n4"]').getAttribute('data-group')).toBe('1');
  });

  it('draws the overlay\'s connections at the scrubbed time: open, half-open after the crash, replaced after the restart', async () => {
    const connection = (pair: string): Promise<string | null> => page.locator(`#topology .connections line[data-pair="${pair}"]`).getAttribute('data-state');
    expect(await page.locator('#topology .connections line').count()).toBe(6);
    await scrub(1);
    expect(await connection('n1|n2')).toBe('closed');
    expect(await page.locator('#topology .connections line[data-pair="n1|n2"]').isVisible()).toBe(false);
    await scrub(CRASH_MS - 1);
    expect(await counts()).toMatchObject({ connectionsOpen: 6, connectionsHalfOpen: 0 });
    await scrub(CRASH_MS + 50);
    expect([await connection('n1|n2'), await connection('n2|n3'), await connection('n0|n1')]).toEqual(['half-open', 'half-open', 'open']);
    expect(await counts()).toMatchObject({ connectionsOpen: 4, connectionsHalfOpen: 2 });
    expect(await page.locator('#topology .connections line[data-pair="n1|n2"]').isVisible()).toBe(true);
    const replaced = trace.events.find((event) => event.kind === 'connect' && event.t > RESTART_MS)!.t;
    await scrub(replaced + 1);
    expect(await connection('n1|n2')).toBe('open');
    expect(await counts()).toMatchObject({ connectionsOpen: 6, connectionsHalfOpen: 0 });
  });

  it('zooms the time-space diagram to a window', async () => {
    await page.evaluate(() => (window as unknown as { __netmachine: { zoomTo(t0: number, t1: number): void } }).__netmachine.zoomTo(1700, 2700));
    const zoomed = await counts();
    expect(zoomed.arrowsDrawn).toBe(zoomed.arrowsInView);
    expect(zoomed.arrowsInView).toBeGreaterThan(0);
    expect(zoomed.arrowsInView).toBeLessThan(transmits.length);
  });

  it('saves a screenshot', async () => {
    const ping = trace.events.find((event) => event.kind === 'send' && event.engine === 'ping' && event.node === 'n3' && event.to === 'n4/echo' && event.t > 1900);
    expect(ping?.msg).toBeDefined();
    const highlighted = await page.evaluate((id) => (window as unknown as { __netmachine: { select(id: string): number } }).__netmachine.select(id), ping!.msg!);
    expect(highlighted).toBeGreaterThan(1);
    // Clear the highlight and show messages in flight (the docs' picture is made by test/docs/screenshot.ts).
    expect(await page.evaluate(() => (window as unknown as { __netmachine: { select(id: string): number } }).__netmachine.select('none'))).toBe(0);
    await scrub(ping!.t + 20);
    const target = join(directory, 'screenshot.png');
    await page.screenshot({ path: target, fullPage: true });
    expect(existsSync(target)).toBe(true);
    expect(errors).toEqual([]);
  });
});
