// A trace is input from anyone: extreme times, huge fields and counts must give a report or a clear
// refusal, never a JavaScript error; configured links are drawn even when idle.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../core/index.js';
import { buildViewModel, renderReport, VizError } from '../../viz/index.js';
import { ringTrace } from './scenario.js';

describe('hostile traces in the report', () => {
  const trace = ringTrace();

  it('events at t = ±1e308 are listed as not drawn; the rest renders with finite times', () => {
    const extreme: TraceEvent[] = [
      { ...trace.events[10]!, t: 1e308, seq: 99_990 },
      { ...trace.events[11]!, t: -1e308, seq: 99_991 },
    ];
    const model = buildViewModel(trace.header, [...trace.events, ...extreme]);
    expect(model.skipped).toHaveLength(2);
    expect(model.skipped[0]).toContain('seq 99991');
    expect(Number.isFinite(model.endMs - model.startMs)).toBe(true);
    const html = renderReport(trace.header, [...trace.events, ...extreme]);
    expect(html).toContain('id="skipped">Not drawn: event seq 99991');
    const data = JSON.parse(/<script id="netmachine-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as { startMs: unknown; endMs: unknown };
    expect([data.startMs, data.endMs].every((t) => typeof t === 'number' && Number.isFinite(t))).toBe(true);
  });

  it('a 1 MB node name or message id is cut to a short label', () => {
    const huge = 'x'.repeat(1_000_000);
    const model = buildViewModel(trace.header, [...trace.events, { ...trace.events[5]!, node: huge, msg: huge, seq: 99_999 }]);
    expect(Math.max(...model.nodes.map((name) => name.length))).toBeLessThanOrEqual(201);
    expect(Math.max(...model.messages.map((message) => message.id.length))).toBeLessThanOrEqual(201);
  });

  it('more events or nodes than the report draws is a clear VizError; the limit can be raised', () => {
    const error = (() => {
      try {
        renderReport(trace.header, trace.events, { limits: { events: 10 } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(VizError);
    expect((error as VizError).code).toBe('viz/too-many-events');
    expect(() => renderReport(trace.header, trace.events, { limits: { nodes: 2 } })).toThrow(expect.objectContaining({ code: 'viz/too-many-nodes' }));
    expect(renderReport(trace.header, trace.events, { limits: { events: trace.events.length } })).toContain('<!doctype html>');
  });

  it('the topology holds the configured links of the header, idle ones included, before traffic-only pairs', () => {
    const header = { ...trace.header, links: [...(trace.header.links ?? []), ['n0', 'n3'] as const] };
    const model = buildViewModel(header, trace.events);
    const pair = (a: string, b: string) => model.links.find((link) => [model.nodes[link.a], model.nodes[link.b]].sort().join('-') === [a, b].sort().join('-'));
    const idle = pair('n0', 'n3');
    expect(idle).toBeDefined();
    expect(idle!.ab.frames + idle!.ba.frames).toBe(0);
    expect(model.links.length).toBeGreaterThanOrEqual((trace.header.links ?? []).length + 1);
  });
});
