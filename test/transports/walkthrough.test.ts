// Runs the two-node walkthrough of docs/real-networks.md exactly as written there: every command of
// its sh blocks (the `netmachine node` lines as long-running processes, stopped with SIGINT as a
// user's Ctrl-C) and every file of its yaml blocks. Only the port numbers are replaced by free ones,
// consistently, so that parallel test runs on one machine cannot collide.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../core/index.js';
import { freePort, netmachine, startNode, type NodeProcess } from './node-processes.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'real-networks.md');

interface Block {
  readonly language: string;
  readonly text: string;
}

function walkthroughBlocks(markdown: string): Block[] {
  const start = markdown.indexOf('<!-- walkthrough');
  const end = markdown.indexOf('<!-- /walkthrough -->');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const section = markdown.slice(start, end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({ language: match[1]!, text: match[2]! }));
}

async function withFreePorts(blocks: Block[]): Promise<Block[]> {
  const ports = new Map<string, number>();
  for (const block of blocks) for (const match of block.text.matchAll(/(?<=[:\s])(7\d{3})\b/g)) if (!ports.has(match[1]!)) ports.set(match[1]!, await freePort());
  return blocks.map((block) => ({ ...block, text: block.text.replace(/(?<=[:\s])(7\d{3})\b/g, (port) => String(ports.get(port))) }));
}

async function waitForPings(file: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  const answered = (): number => (existsSync(file) ? (readFileSync(file, 'utf8').match(/"kind":"deliver","node":"alice","engine":"ping"/g) ?? []).length : 0);
  while (answered() < 3) {
    if (Date.now() > end) throw new Error(`alice's pings not answered within ${timeoutMs} ms:\n${existsSync(file) ? readFileSync(file, 'utf8') : '(no trace)'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('docs/real-networks.md walkthrough', () => {
  it('keygen ×2, two configs, both nodes started, pings answered, traces collected and rendered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-walkthrough-'));
    const blocks = await withFreePorts(walkthroughBlocks(readFileSync(DOC, 'utf8')));
    expect(blocks.map((block) => block.language)).toEqual(['sh', 'yaml', 'yaml', 'sh', 'sh']);
    let running: NodeProcess[] = [];
    const stopAll = async (): Promise<void> => {
      await waitForPings(join(dir, 'alice.jsonl'), 30_000);
      for (const stopped of await Promise.all(running.map((node) => node.stop()))) expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
      running = [];
    };
    try {
      for (const block of blocks) {
        if (block.language === 'yaml') {
          const name = /^# (\S+\.yaml)\n/.exec(block.text)?.[1];
          expect(name, block.text).toBeDefined();
          writeFileSync(join(dir, name!), block.text);
          continue;
        }
        for (const line of block.text.split('\n').map((text) => text.replace(/#.*$/, '').trim()).filter((text) => text !== '')) {
          const [command, ...args] = line.split(/\s+/);
          expect(command).toBe('netmachine');
          if (args[0] === 'node' && !args.includes('--print-ids')) {
            const node = startNode(dir, ...args.slice(1));
            running.push(node);
            await node.waitFor(/listening on/);
            continue;
          }
          if (running.length > 0) await stopAll();
          const result = netmachine(dir, ...args);
          expect(result, line).toMatchObject({ status: 0 });
        }
      }
    } finally {
      await Promise.all(running.map((node) => node.stop()));
    }
    const events = readFileSync(join(dir, 'run.jsonl'), 'utf8').trim().split('\n').slice(1).map((line) => JSON.parse(line) as TraceEvent);
    const delivered = (node: string, engine: string): number => events.filter((event) => event.kind === 'deliver' && event.node === node && event.engine === engine).length;
    expect({ pings: delivered('bob', 'echo'), echoes: delivered('alice', 'ping') }).toEqual({ pings: 3, echoes: 3 });
    expect(existsSync(join(dir, 'run.html'))).toBe(true);
    // "A single node's trace renders too."
    expect(netmachine(dir, 'viz', 'alice.jsonl', '-o', 'alice.html').status).toBe(0);
  }, 120_000);
});
