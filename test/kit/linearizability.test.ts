// The linearizability checker on hand-made histories (each allowed and forbidden case) and on the
// published etcd histories with Porcupine's verdicts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinearizable, KitError, keyValueModel, operationsOf, registerModel, type HistoryEvent } from '../../kit/index.js';

const event = (t: number, process: string, type: HistoryEvent['type'], f: string, value?: unknown, key?: string): HistoryEvent => ({ t, process, type, f, ...(value !== undefined && { value }), ...(key !== undefined && { key }) });

describe('linearizability', () => {
  it('accepts a concurrent write and read in either order, and a read after the write completed', () => {
    const history = [event(0, 'p1', 'invoke', 'write', 1), event(1, 'p2', 'invoke', 'read'), event(2, 'p2', 'ok', 'read', null), event(3, 'p1', 'ok', 'write'), event(4, 'p2', 'invoke', 'read'), event(5, 'p2', 'ok', 'read', 1)];
    const result = checkLinearizable(operationsOf(history), registerModel());
    expect(result.verdict).toBe('linearizable');
    expect(result.operations).toBe(3);
  });

  it('rejects a stale read and names the blocked operation, the prefix and the state', () => {
    const history = [event(0, 'p1', 'invoke', 'write', 1), event(1, 'p1', 'ok', 'write'), event(2, 'p2', 'invoke', 'write', 2), event(3, 'p2', 'ok', 'write'), event(4, 'p3', 'invoke', 'read'), event(5, 'p3', 'ok', 'read', 1)];
    const result = checkLinearizable(operationsOf(history), registerModel());
    expect(result.verdict).toBe('not-linearizable');
    expect(result.counterexample?.linearized.map((operation) => operation.input)).toEqual([1, 2]);
    expect(result.counterexample?.blocked.f).toBe('read');
    expect(result.counterexample?.state).toBe('value 2');
    expect(result.lines.join('\n')).toContain('must take effect before it completes, but cannot: p3 read() → ok 1 [4ms, 5ms]');
    expect(result.lines.join('\n')).toContain('its result is impossible in this state');
  });

  it('an info write may take effect at any later time, or never; a failed write never did', () => {
    const later = [event(0, 'p1', 'invoke', 'write', 5), event(1, 'p1', 'info', 'write'), event(10, 'p2', 'invoke', 'read'), event(11, 'p2', 'ok', 'read', null), event(12, 'p2', 'invoke', 'read'), event(13, 'p2', 'ok', 'read', 5)];
    expect(checkLinearizable(operationsOf(later), registerModel()).verdict).toBe('linearizable');
    const failed = [event(0, 'p1', 'invoke', 'write', 5), event(1, 'p1', 'fail', 'write'), event(2, 'p2', 'invoke', 'read'), event(3, 'p2', 'ok', 'read', 5)];
    expect(checkLinearizable(operationsOf(failed), registerModel()).verdict).toBe('not-linearizable');
    // An invocation that never completed is info too.
    const open = [event(0, 'p1', 'invoke', 'write', 5), event(2, 'p2', 'invoke', 'read'), event(3, 'p2', 'ok', 'read', 5)];
    expect(checkLinearizable(operationsOf(open), registerModel()).verdict).toBe('linearizable');
  });

  it('cas: applied only when the value matched', () => {
    const ok = [event(0, 'p1', 'invoke', 'write', 1), event(1, 'p1', 'ok', 'write'), event(2, 'p1', 'invoke', 'cas', [1, 2]), event(3, 'p1', 'ok', 'cas', true), event(4, 'p1', 'invoke', 'cas', [1, 3]), event(5, 'p1', 'ok', 'cas', false)];
    expect(checkLinearizable(operationsOf(ok), registerModel()).verdict).toBe('linearizable');
    const bad = [event(0, 'p1', 'invoke', 'write', 1), event(1, 'p1', 'ok', 'write'), event(2, 'p1', 'invoke', 'cas', [2, 3]), event(3, 'p1', 'ok', 'cas', true)];
    expect(checkLinearizable(operationsOf(bad), registerModel()).verdict).toBe('not-linearizable');
  });

  it('key-value histories are checked key by key', () => {
    const history = [event(0, 'p1', 'invoke', 'write', 1, 'x'), event(1, 'p1', 'ok', 'write', undefined, 'x'), event(2, 'p2', 'invoke', 'read', undefined, 'y'), event(3, 'p2', 'ok', 'read', null, 'y'), event(4, 'p2', 'invoke', 'read', undefined, 'x'), event(5, 'p2', 'ok', 'read', 1, 'x')];
    const result = checkLinearizable(operationsOf(history), keyValueModel());
    expect(result).toMatchObject({ verdict: 'linearizable', partitions: 2 });
    const stale = [...history, event(6, 'p3', 'invoke', 'read', undefined, 'x'), event(7, 'p3', 'ok', 'read', null, 'x')];
    expect(checkLinearizable(operationsOf(stale), keyValueModel()).counterexample?.blocked.key).toBe('x');
  });

  it('gives up with unknown past its step budget, and rejects malformed histories', () => {
    const history = Array.from({ length: 8 }, (_, i) => [event(0, `p${i}`, 'invoke', 'write', i), event(10, `p${i}`, 'ok', 'write')]).flat();
    expect(checkLinearizable(operationsOf([...history, event(11, 'r', 'invoke', 'read'), event(12, 'r', 'ok', 'read', 99)]), registerModel(), { stepsMax: 50 }).verdict).toBe('unknown');
    expect(() => operationsOf([event(0, 'p1', 'ok', 'read', 1)])).toThrow(KitError);
    expect(() => operationsOf([event(0, 'p1', 'invoke', 'read'), event(1, 'p1', 'invoke', 'read')])).toThrow(/still open/);
  });

  it("gives Porcupine's verdict on each published etcd history", () => {
    const folder = join(import.meta.dirname, 'fixtures', 'etcd');
    // Porcupine's expected verdicts (porcupine_test.go); every other vendored file is not linearizable.
    const linearizable = new Set([2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76]);
    const files = readdirSync(folder).filter((file) => file.endsWith('.log'));
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const file of files) {
      const number = Number(/etcd_(\d+)\.log/.exec(file)![1]);
      const result = checkLinearizable(operationsOf(parseJepsenLog(readFileSync(join(folder, file), 'utf8'))), registerModel());
      expect(`${file}: ${result.verdict}`).toBe(`${file}: ${linearizable.has(number) ? 'linearizable' : 'not-linearizable'}`);
    }
  });
});

/** Jepsen's log lines (`INFO  jepsen.util - 3	:ok	:cas	[1 4]`) as history events; time is the line number. */
function parseJepsenLog(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  text.split('\n').forEach((line, t) => {
    const match = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*)$/.exec(line);
    if (match === null) return;
    const [, process, type, f, raw] = match as unknown as [string, string, HistoryEvent['type'], string, string];
    const value = raw === 'nil' || raw === ':timed-out' ? undefined : raw.startsWith('[') ? raw.slice(1, -1).split(/\s+/).map(Number) : Number(raw);
    // A failed cas is a cas that returned false (it happened, without effect), as Porcupine reads it.
    if (f === 'cas' && type === 'fail') events.push(event(t, process, 'ok', f, false));
    else if (f === 'cas' && type === 'ok') events.push(event(t, process, 'ok', f, true));
    else events.push(event(t, process, type, f, type === 'invoke' && f === 'read' ? undefined : value));
  });
  return events;
}
