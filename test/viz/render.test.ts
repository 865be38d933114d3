import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../core/index.js';
import { layoutTopology, renderReport } from '../../viz/index.js';
import { handHeader, ringTrace } from './scenario.js';

const HEADER = handHeader({ a: '00', b: '01' });

/** The JSON embedded in the report. */
function embedded(html: string): unknown {
  const match = /<script id="netmachine-data" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (match === null) throw new Error('no embedded data');
  return JSON.parse(match[1]!);
}

describe('renderReport', () => {
  it('is one self-contained HTML file with D3 and the report script inlined', () => {
    const { header, events } = ringTrace({ durationMs: 1000 });
    const html = renderReport(header, events);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toMatch(/https?:\/\/[^"'\s]*\.(js|css)\b/);
    expect(html).toContain('forceSimulation'); // d3
    expect(html).toContain('__netmachine'); // the report script
    expect(html).toContain('<title>viz-ring · netmachine report</title>');
  });

  it('escapes hostile text in titles and trace fields', () => {
    const events: TraceEvent[] = [{ t: 1, seq: 0, kind: 'link', node: 'a', peer: 'b', text: '</script><script>alert(1)</script><!--' }];
    const html = renderReport(HEADER, events, { title: '<b>"T"</b>' });
    expect(html.match(/<\/script>/g)).toHaveLength(3); // data, d3, report
    expect(html).toContain('<title>&#60;b&#62;&#34;T&#34;&#60;/b&#62; · netmachine report</title>');
    const data = embedded(html) as { texts: string[]; title: string };
    expect(data.texts).toEqual(['</script><script>alert(1)</script><!--']);
    expect(data.title).toBe('<b>"T"</b>');
  });

  it('renders the same bytes for the same trace', () => {
    const { header, events } = ringTrace({ durationMs: 1000 });
    expect(renderReport(header, events)).toBe(renderReport(header, events));
  });

  it('lays out a topology the same way every time, with distinct positions', () => {
    const ring = Array.from({ length: 8 }, (_, index) => ({ a: index, b: (index + 1) % 8 }));
    const first = layoutTopology(8, ring);
    expect(Array.from(layoutTopology(8, ring))).toEqual(Array.from(first));
    const points = new Set<string>();
    for (let index = 0; index < 8; index++) points.add(`${first[index * 2]!.toFixed(1)},${first[index * 2 + 1]!.toFixed(1)}`);
    expect(points.size).toBe(8);
  });
});
