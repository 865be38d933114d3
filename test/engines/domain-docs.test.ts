// docs/domains.md's worked example is the example scenario verbatim, and the trace lines it shows are
// the ones `netmachine run --trace` writes for it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../cli/commands/run.js';
import { loadScenario } from '../../scenarios/index.js';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'domains.md'), 'utf8');
const EXAMPLE = join(root, 'scenarios', 'examples', 'domain-allow-list.yaml');

describe('docs/domains.md', () => {
  it('quotes scenarios/examples/domain-allow-list.yaml verbatim (from its name on)', () => {
    const quoted = /```yaml\n(name: domain-allow-list\n[\s\S]*?)```/.exec(doc)?.[1];
    const file = readFileSync(EXAMPLE, 'utf8');
    expect(quoted).toBeDefined();
    expect(file.slice(file.indexOf('name: domain-allow-list'))).toBe(quoted);
  });

  it('shows the join log lines the example writes to its trace', async () => {
    const shown = /grep '"domain join'\n```\n\n```text\n([\s\S]*?)```/.exec(doc)?.[1]?.trim().split('\n');
    expect(shown?.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-domains-doc-'));
    try {
      const trace = join(dir, 'lab.jsonl');
      await runScenario(await loadScenario(EXAMPLE), { trace, quiet: true });
      const lines = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes('"kind":"log"') && line.includes('"domain join'));
      expect(lines).toEqual(shown);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
