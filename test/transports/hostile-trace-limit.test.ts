// Repeated refusal records from one peer are rate-limited on real nodes: the first N per
// (peer, kind, reason) and window are traced, the rest counted in one summary record, the
// refused frames' receive records with them — a flood of refused frames no longer grows the trace
// and the log without bound.
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../core/index.js';
import { limitDropRecords } from '../../transports/index.js';
import { closeAll, crypto, engineKeyOf, startNodes, waitFor, type TestNode } from './helpers.js';
import { forgedFrames, hostileQuicChannel, hostileQuicClient, hostileTlsClient, portOf, randomCertificate, writeStream } from './hostile.js';

const at = (t: number, record: Omit<TraceRecord, 't' | 'node'>): TraceRecord => ({ t, node: 'a', ...record }) as TraceRecord;

describe('limitDropRecords', () => {
  it('traces the first N per peer, kind and reason and window, counts the rest with their receive records, summarises each window', () => {
    const out: TraceRecord[] = [];
    const sink = limitDropRecords({ emit: (record) => void out.push(record) }, { perWindow: 2, windowMs: 100 });
    for (let i = 0; i < 5; i++) {
      sink.emit(at(i, { kind: 'receive', peer: 'x', msg: `m${i}` }));
      sink.emit(at(i, { kind: 'verify-fail', peer: 'x', msg: `m${i}`, reason: 'engine-signature' }));
    }
    sink.emit(at(5, { kind: 'drop', peer: 'y', reason: 'replay' })); // another peer: its own budget
    sink.emit(at(6, { kind: 'deliver', engine: 'e', msg: 'ok' })); // other kinds pass
    sink.emit(at(150, { kind: 'verify-fail', peer: 'x', msg: 'm9', reason: 'engine-signature' })); // a new window: summary of the last one first
    sink.sweep();
    const summary = { t: 4, kind: 'verify-fail', node: 'a', peer: 'x', reason: 'engine-signature', text: '3 more verify-fail records like this (and 3 receive records) not traced in 100 ms from 0', data: { suppressed: 3, receives: 3, windowMs: 100 } };
    expect(out).toEqual([
      at(0, { kind: 'receive', peer: 'x', msg: 'm0' }),
      at(0, { kind: 'verify-fail', peer: 'x', msg: 'm0', reason: 'engine-signature' }),
      at(1, { kind: 'receive', peer: 'x', msg: 'm1' }),
      at(1, { kind: 'verify-fail', peer: 'x', msg: 'm1', reason: 'engine-signature' }),
      at(5, { kind: 'drop', peer: 'y', reason: 'replay' }),
      at(6, { kind: 'deliver', engine: 'e', msg: 'ok' }),
      summary,
      at(150, { kind: 'verify-fail', peer: 'x', msg: 'm9', reason: 'engine-signature' }),
    ]);
  });

  it('a receive record with nothing refused after it is traced by the end of the task; perWindow 0 disables the limit', async () => {
    const out: TraceRecord[] = [];
    const sink = limitDropRecords({ emit: (record) => void out.push(record) }, { perWindow: 1, windowMs: 100 });
    sink.emit(at(0, { kind: 'receive', peer: 'x', msg: 'm0' }));
    await Promise.resolve();
    expect(out).toEqual([at(0, { kind: 'receive', peer: 'x', msg: 'm0' })]);
    const all: TraceRecord[] = [];
    const open = limitDropRecords({ emit: (record) => void all.push(record) }, { perWindow: 0, windowMs: 100 });
    for (let i = 0; i < 50; i++) open.emit(at(i, { kind: 'drop', peer: 'x', reason: 'replay' }));
    expect(all).toHaveLength(50);
  });
});

describe('a flood of refused frames on a real node', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  for (const scheme of ['quic', 'tls'] as const) {
    it(`${scheme}: 2,000 badly signed frames leave 20 refusals, 20 receives and one summary counting the other 1,980`, async () => {
      // The misbehaving-peer penalty is lifted: this test counts every refused frame's record.
      nodes = await startNodes(['a'], [scheme], { isOpen: true, dropRecordLimit: { perWindow: 20, windowMs: 600_000 }, transport: { refusalBurst: Number.MAX_SAFE_INTEGER } });
      const [a] = nodes as [TestNode];
      const certificate = randomCertificate();
      const engineKey = crypto.keyPair(new Uint8Array(32).fill(9));
      const frames = forgedFrames(crypto, certificate.id, a.real.id, engineKeyOf('a/sink').id, 2000, { last: engineKey });
      const port = portOf(a.real.addresses[0]!);
      let end: () => Promise<unknown>;
      if (scheme === 'quic') {
        const client = await hostileQuicClient(port, certificate);
        end = () => client.destroy({ force: true });
        await writeStream(await hostileQuicChannel(client), frames);
      } else {
        const socket = await hostileTlsClient(port, certificate);
        end = async () => socket.destroy();
        socket.write(frames);
      }
      await waitFor(() => a.received.some((entry) => entry.body === 'last'), 'the signed message after the flood');
      await end();
      await a.real.close(); // writes the summary
      const fromAttacker = a.trace.filter((record) => record.peer !== undefined && record.peer === certificate.id.slice(0, 12));
      const refusals = fromAttacker.filter((record) => record.kind === 'verify-fail');
      expect(refusals.filter((record) => record.data === undefined)).toHaveLength(20);
      expect(refusals.filter((record) => record.data !== undefined).map((record) => record.data)).toEqual([{ suppressed: 1980, receives: 1980, windowMs: 600_000 }]);
      expect(fromAttacker.filter((record) => record.kind === 'receive')).toHaveLength(21); // 20 refused, and the signed one
    });
  }
});
