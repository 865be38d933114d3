// Writes docs/images/report.png, the picture of a report in README.md and docs/reports.md: the
// report of scenarios/examples/partition-heal.yaml, scrubbed to the middle of the partition, in
// Debian's Chromium (/usr/bin/chromium) through playwright-core, as test/viz/report.browser.test.ts
// opens reports. Run after changing the report: npx tsx test/docs/screenshot.ts
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const TARGET = join(ROOT, 'docs', 'images', 'report.png');
/** In the partition (2 s to 4 s): the cut pings show as drops. */
const SCRUB_MS = 3000;

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium)`);
const directory = mkdtempSync(join(tmpdir(), 'netmachine-screenshot-'));
try {
  const report = join(directory, 'report.html');
  execFileSync(process.execPath, [join(ROOT, 'cli', 'netmachine.js'), 'run', join(ROOT, 'scenarios', 'examples', 'partition-heal.yaml'), '--quiet', '--report', report], { stdio: 'inherit' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'], headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1480, height: 1120 } });
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction(() => (window as unknown as { __netmachine?: { ready: boolean } }).__netmachine?.ready === true);
    await page.locator('#scrub').evaluate((input: HTMLInputElement, value: number) => {
      input.value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, SCRUB_MS);
    await page.screenshot({ path: TARGET, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${TARGET}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
