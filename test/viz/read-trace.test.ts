import { describe, expect, it } from 'vitest';
import { traceHeaderLine, traceLine } from '../../core/index.js';
import { formatTraceReadError, readTrace } from '../../viz/index.js';
import { ringTrace } from './scenario.js';

const HEADER_LINE = JSON.stringify({ format: 'netmachine-trace', version: 1, backend: 'sim', seed: 1, scenario: {}, started: 0, crypto: 'sim-keyed', nodes: {}, engines: {} });

describe('readTrace', () => {
  it('reads back what the simulator writes', () => {
    const { header, events } = ringTrace({ durationMs: 1500 });
    const text = [traceHeaderLine(header), ...events.map(traceLine)].join('\n') + '\n';
    const result = readTrace(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.header).toEqual(header);
    expect(result.value.events.map(traceLine)).toEqual(events.map(traceLine));
  });

  it('skips blank lines and accepts CRLF', () => {
    const result = readTrace(`${HEADER_LINE}\r\n\r\n{"t":1,"seq":0,"kind":"crash","node":"a"}\r\n`);
    expect(result.ok && result.value.events).toEqual([{ t: 1, seq: 0, kind: 'crash', node: 'a' }]);
  });

  it.each([
    ['', 'trace/empty', 1],
    ['{"format":"other"}', 'trace/bad-header', 1],
    ['{"format":"netmachine-trace","version":99,"nodes":{},"engines":{},"seed":1,"started":0}', 'trace/bad-version', 1],
    [`${HEADER_LINE}\n{"t":1,"seq":0,"kind":"crash","node":"a"}\n{"t":2,"seq":1,`, 'trace/bad-json', 3],
    [`${HEADER_LINE}\n\n{"t":1,"seq":0,"kind":"teleport","node":"a"}`, 'trace/bad-event', 3],
    [`${HEADER_LINE}\n{"t":"soon","seq":0,"kind":"crash","node":"a"}`, 'trace/bad-event', 2],
    [`${HEADER_LINE}\n{"t":1,"seq":0,"kind":"drop","node":"a","reason":7}`, 'trace/bad-event', 2],
    [`${HEADER_LINE}\n[1,2]`, 'trace/bad-event', 2],
  ])('rejects %j with %s at line %i', (text, code, line) => {
    const result = readTrace(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.line).toBe(line);
    expect(formatTraceReadError(result.error)).toMatch(new RegExp(`^line ${line}: `));
  });
});
