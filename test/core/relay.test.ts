// RelayMessage (SPEC §4.1, §5.1.3): S23 and relay confidentiality/integrity.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNode, createNodeCrypto, createRng, decodeP2PMessage, deriveSecret, IdentityStore, signP2PMessage, type EngineInput, type Id, type KeyPair, type Node, type TraceEvent, type Transport } from '../../core/index.js';
import { Scheduler } from '../../sim/index.js';

const crypto = createNodeCrypto();
const nodeKey = (name: string): KeyPair => crypto.keyPair(deriveSecret('relay-test', 'node', name));
const engineKey = (name: string): KeyPair => crypto.keyPair(deriveSecret('relay-test', 'eng', name));

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** a — r — b in memory; a reaches b through r. `tamper` may alter frames r forwards. */
function relayLine(body: Uint8Array, options: { isPermitted?: boolean; tamper?: (frame: Uint8Array) => Uint8Array; rewraps?: number } = {}) {
  const scheduler = new Scheduler();
  const events: TraceEvent[] = [];
  let seq = 0;
  const trace = { emit: (record: Omit<TraceEvent, 'seq'>) => events.push({ ...record, seq: seq++ }) };
  const keys = { a: nodeKey('a'), r: nodeKey('r'), b: nodeKey('b') };
  const handlers = new Map<Id, (from: Id, frame: Uint8Array) => void>();
  const framesAtRelay: Uint8Array[] = [];
  const transport = (self: Id): Transport => ({
    send(node, frame) {
      let bytes = frame;
      if (self === keys.r.id || node === keys.r.id) framesAtRelay.push(frame);
      if (self === keys.r.id && options.tamper !== undefined) bytes = options.tamper(frame);
      scheduler.schedule(scheduler.now() + 5, () => handlers.get(node)?.(self, bytes));
      // A hostile relay re-wraps the sealed message it forwards in fresh, validly signed envelopes.
      const forwarded = self === keys.r.id ? decodeP2PMessage(frame) : undefined;
      for (let copy = 1; forwarded?.ok === true && copy <= (options.rewraps ?? 0); copy++) {
        const rewrapped = signP2PMessage(crypto, keys.r, { ...forwarded.value, seq: forwarded.value.seq + copy * 1000 });
        scheduler.schedule(scheduler.now() + 5 + copy, () => handlers.get(node)?.(self, rewrapped));
      }
    },
    connect: () => {},
    disconnect: () => {},
    onFrame: (handler) => void handlers.set(self, handler),
    onEvent: () => {},
  });
  const directory = new IdentityStore();
  const sender = engineKey('a/app');
  const sink = engineKey('b/sink');
  directory.setEngineNode(sender.id, keys.a.id);
  directory.updateNode(keys.b.id, { via: keys.r.id });
  const received: EngineInput[] = [];
  const nodes = new Map<string, Node>();
  for (const name of ['a', 'r', 'b'] as const) {
    nodes.set(name, createNode({ clock: scheduler, rng: createRng(1, name), crypto, trace, transport: transport(keys[name].id) }, { name, key: keys[name], directory, session: 1 }));
  }
  nodes.get('a')!.addEngine('app', sender, { handle: (input, ctx) => void (input.kind === 'start' && ctx.send({ kind: 'engine', engine: sink.id, node: keys.b.id }, body)) });
  nodes.get('r')!.addEngine('relay', engineKey('r/relay'), { handle: (input, ctx) => void (input.kind === 'start' && options.isPermitted !== false && ctx.offerRelay({ from: [keys.a.id] })) });
  nodes.get('b')!.addEngine('sink', sink, { handle: (input) => void (input.kind === 'message' && received.push(input)) });
  for (const node of nodes.values()) node.start();
  scheduler.run(1000);
  return { events, received, framesAtRelay };
}

describe('relay', () => {
  it('relay confidentiality: the relay forwards frames that never contain the inner body, and its trace never names the inner message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 600 }), (body) => {
        const { events, received, framesAtRelay } = relayLine(body);
        expect(received).toHaveLength(1);
        const message = received[0]!;
        expect(message.kind === 'message' && Buffer.from(message.message.body).equals(Buffer.from(body))).toBe(true);
        expect(framesAtRelay.length).toBe(2);
        for (const frame of framesAtRelay) expect(contains(frame, body)).toBe(false);
        const innerMsg = events.find((event) => event.kind === 'send')!.msg!;
        const atRelay = events.filter((event) => event.node === 'r');
        expect(atRelay.length).toBeGreaterThan(0);
        for (const event of atRelay) {
          expect(event.msg === undefined || event.msg.startsWith('relay:')).toBe(true);
          expect(event.msg).not.toBe(innerMsg);
          expect(event.kind).not.toBe('deliver');
        }
      }),
      { numRuns: 25 },
    );
  });

  it('S23: a RelayMessage is dropped unless relaying is permitted for its source or destination', () => {
    const { events, received } = relayLine(new Uint8Array(16), { isPermitted: false });
    expect(received).toEqual([]);
    expect(events.filter((event) => event.node === 'r' && event.reason === 'relay-not-permitted')).toHaveLength(1);
  });

  it('a relay cannot alter the sealed message: any flipped byte is rejected at the destination', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (position, flip) => {
        const { events, received } = relayLine(new Uint8Array(32).fill(9), {
          tamper: (frame) => {
            const copy = frame.slice();
            copy[position % copy.length]! ^= flip;
            return copy;
          },
        });
        expect(received).toEqual([]);
        expect(events.some((event) => event.node === 'b' && (event.kind === 'verify-fail' || event.kind === 'drop'))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('a relay that re-wraps a sealed message in fresh envelopes gets it delivered once: the final node checks the sealed sequence', () => {
    const { events, received } = relayLine(new Uint8Array(24).fill(3), { rewraps: 5 });
    expect(received).toHaveLength(1);
    expect(events.filter((event) => event.node === 'b' && event.kind === 'drop' && event.reason === 'relay-replay')).toHaveLength(5);
    // Each copy passed the hop-by-hop window (fresh envelope sequence): only the sealed one caught it.
    expect(events.filter((event) => event.node === 'b' && event.reason === 'replay')).toHaveLength(0);
  });
});
