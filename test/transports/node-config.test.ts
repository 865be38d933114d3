// The node config of `netmachine node`: keys and peer adverts from `netmachine keygen`, ids printed
// with `--print-ids`, and every bad advert refused with the file, line and field it came from.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { createNodeCrypto, decodeAdvert, deriveSecret, encodeAdvert, fromHex, type NodeAdvert } from '../../core/index.js';
import { advertText, signEngineAdvert, signNodeAdvert } from '../../transports/index.js';

describe('node config', () => {
  let dir: string;
  const output: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netmachine-node-config-'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (output.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (output.push(String(chunk)), true));
  });
  afterAll(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });
  const run = async (...args: string[]): Promise<{ code: number; text: string }> => {
    process.exitCode = 0;
    output.length = 0;
    const code = await main(['node', 'netmachine', ...args]);
    return { code, text: output.join('') };
  };
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const crypto = createNodeCrypto();
  const secretOf = (name: string): string => readFileSync(join(dir, name), 'utf8').trim();

  it('keygen writes a key and a signed peer advert file; node --print-ids shows the same ids', async () => {
    const bob = await run('keygen', '--out', join(dir, 'bob.key'), '--address', 'tls://localhost:7102', '--address', 'quic://127.0.0.1:7101', '--engine', 'echo');
    expect(bob.code).toBe(0);
    const nodeLine = /node bob node:([0-9a-f]{64})/.exec(bob.text)!;
    const engineLine = /engine bob\/echo eng:([0-9a-f]{64})/.exec(bob.text)!;
    expect(nodeLine).not.toBeNull();
    expect(engineLine).not.toBeNull();
    const advertFile = readFileSync(join(dir, 'bob.advert.yaml'), 'utf8');
    expect(advertFile).toContain('name: bob');
    expect(await run('keygen', '--out', join(dir, 'alice.key'))).toMatchObject({ code: 0 });
    expect(await run('keygen', '--out', join(dir, 'news.key'), '--kind', 'topic')).toMatchObject({ code: 0 });
    const newsId = /topic:([0-9a-f]{64})/.exec(output.join(''))![1];
    const bobConfig = file('bob.yaml', 'name: bob\nkey: bob.key\nengines:\n  - { name: echo, kind: echo }\n');
    const printed = await run('node', '--config', bobConfig, '--print-ids');
    expect(printed).toEqual({ code: 0, text: `node bob node:${nodeLine[1]}\nengine bob/echo eng:${engineLine[1]}\n` });
    const alice = file('alice.yaml', 'name: alice\nkey: alice.key\npeers:\n  - file: bob.advert.yaml\ntopics:\n  news: { key: news.key }\nengines:\n  - { name: ping, kind: ping, params: { targets: [bob/echo] } }\n');
    const ids = await run('node', '--config', alice, '--print-ids');
    expect(ids.code).toBe(0);
    expect(ids.text).toContain(`topic news topic:${newsId} (key held here)`);
  });

  it('keygen refuses a bad address, a bad kind and adverts for a topic key, before writing anything', async () => {
    expect(await run('keygen', '--out', join(dir, 'x.key'), '--address', 'udp://127.0.0.1:1')).toMatchObject({ code: 2, text: expect.stringContaining('--address: expected quic://host:port or tls://host:port, got "udp://127.0.0.1:1"') });
    expect(await run('keygen', '--out', join(dir, 'x.key'), '--kind', 'peer')).toMatchObject({ code: 2, text: expect.stringContaining('--kind: expected node, topic or domain') });
    expect(await run('keygen', '--out', join(dir, 'x.key'), '--kind', 'topic', '--engine', 'echo')).toMatchObject({ code: 2, text: expect.stringContaining('concern node keys') });
    expect(await run('keygen', '--key', join(dir, 'x.key'))).toMatchObject({ code: 2, text: expect.stringContaining('cannot read the key file') });
    expect(existsSync(join(dir, 'x.key'))).toBe(false);
  });

  it('a peer advert whose signature does not verify is located in the peer file', async () => {
    const advert = decodeAdvert(new Uint8Array(Buffer.from(/advert: "(.*)"/.exec(readFileSync(join(dir, 'bob.advert.yaml'), 'utf8'))![1]!, 'base64')));
    const forged = { ...(advert.ok ? advert.value : undefined)!, addresses: [{ address: 'tls://203.0.113.9:7102', weight: 255 }] } as NodeAdvert;
    file('forged.advert.yaml', `name: bob\n\nadvert: ${Buffer.from(encodeAdvert(forged)).toString('base64')}\n`);
    const config = file('a-forged.yaml', 'name: alice\nkey: alice.key\npeers:\n  - file: forged.advert.yaml\n');
    const result = await run('node', '--config', config, '--print-ids');
    expect(result.code).toBe(2);
    expect(result.text).toMatch(new RegExp(`${join(dir, 'forged.advert.yaml')}:3:9 advert: bad signature: this node advert is not signed by node:`));
  });

  it('a stale advert (the same node with an older version configured after a newer one) is refused', async () => {
    const carol = crypto.keyPair(deriveSecret('test', 'node', 'carol'));
    const newer = advertText(signNodeAdvert(crypto, carol, ['tls://127.0.0.1:7201'], 5, Date.now()));
    const older = advertText(signNodeAdvert(crypto, carol, ['tls://127.0.0.1:7209'], 3, Date.now()));
    const config = file('a-stale.yaml', `name: alice\nkey: alice.key\npeers:\n  - { name: carol, advert: ${newer} }\n  - { name: carol-old, advert: ${older} }\n`);
    const result = await run('node', '--config', config, '--print-ids');
    expect(result.code).toBe(2);
    expect(result.text).toContain(`${config}:5:32 peers[1].advert: stale: an advert of node:${carol.id} with the same or a higher version is configured before it`);
  });

  it('an advert created in the future, an engine advert of another node and a bad engine entry are located', async () => {
    const dave = crypto.keyPair(deriveSecret('test', 'node', 'dave'));
    const future = advertText(signNodeAdvert(crypto, dave, ['tls://127.0.0.1:7301'], 1, Date.now() + 3_600_000));
    const now = advertText(signNodeAdvert(crypto, dave, ['tls://127.0.0.1:7301'], 2, Date.now()));
    const elsewhere = advertText(signEngineAdvert(crypto, crypto.keyPair(deriveSecret('test', 'eng', 'x')), crypto.keyPair(fromHex(secretOf('bob.key'))).id, 1, Date.now()));
    const futureConfig = file('a-future.yaml', `name: alice\nkey: alice.key\npeers:\n  - name: dave\n    advert: ${future}\n`);
    expect((await run('node', '--config', futureConfig, '--print-ids')).text).toContain(`${futureConfig}:5:13 peers[0].advert: created more than 5 minutes in the future`);
    const engineConfig = file('a-engine.yaml', `name: alice\nkey: alice.key\npeers:\n  - name: dave\n    advert: ${now}\n    engines:\n      echo: ${elsewhere}\n      ping: nope\n`);
    const result = await run('node', '--config', engineConfig, '--print-ids');
    expect(result.code).toBe(2);
    expect(result.text).toContain(`${engineConfig}:7:13 peers[0].engines.echo: this engine advert says it runs on node:`);
  });

  it('the node itself as a peer, an unknown neighbour and a topic key that is not the configured id are refused', async () => {
    const self = advertText(signNodeAdvert(crypto, crypto.keyPair(fromHex(secretOf('alice.key'))), ['tls://127.0.0.1:7001'], 1, Date.now()));
    const selfConfig = file('a-self.yaml', `name: alice\nkey: alice.key\npeers:\n  - { name: me, advert: ${self} }\n`);
    expect((await run('node', '--config', selfConfig, '--print-ids')).text).toContain('peers[0].advert: this is the advert of the node itself, not of a peer');
    const neighbour = file('a-neighbour.yaml', 'name: alice\nkey: alice.key\npeers:\n  - file: bob.advert.yaml\nneighbors: [bob, zed]\n');
    expect((await run('node', '--config', neighbour, '--print-ids')).text).toContain(`${neighbour}:5:18 neighbors[1]: "zed" is not among the peers (bob)`);
    const topic = file('a-topic.yaml', `name: alice\nkey: alice.key\ntopics:\n  news: { id: "topic:${'ab'.repeat(32)}", key: news.key }\n`);
    const result = await run('node', '--config', topic, '--print-ids');
    expect(result.code).toBe(2);
    expect(result.text).toContain(`${topic}:4:94 topics.news.key: the secret is the key of topic:`);
  });

  it('an unknown field is located at its key with "did you mean"; a bad value says what was expected', async () => {
    const config = file('a-typos.yaml', 'name: alice\nkey: alice.key\ntopik: { news: "topic:00" }\nlisten: { quic: 7001, tsl: 7002 }\ntransport: tcp\npeers:\n  - fiel: bob.advert.yaml\n');
    const result = await run('node', '--config', config, '--print-ids');
    expect(result.code).toBe(2);
    expect(result.text).toContain(`${config}:3:1: unknown field "topik" (did you mean "topics"?)`);
    expect(result.text).toContain(`${config}:4:23 listen: unknown field "tsl" (did you mean "tls"?)`);
    expect(result.text).toContain(`${config}:7:5 peers[0]: unknown field "fiel" (did you mean "file"?)`);
    expect(result.text).toContain(`${config}:5:12 transport: expected one of quic, tls, both, got "tcp"`);
  });

  it('a secret inline works, and a config with both key and secret is refused', async () => {
    const inline = file('a-inline.yaml', `name: alice\nsecret: ${secretOf('alice.key')}\n`);
    expect((await run('node', '--config', inline, '--print-ids')).code).toBe(0);
    const both = file('a-both.yaml', `name: alice\nkey: alice.key\nsecret: ${secretOf('alice.key')}\n`);
    const result = await run('node', '--config', both, '--print-ids');
    expect(result.code).toBe(2);
    expect(result.text).toContain(`${both}:2:6 key: expected exactly one of "key"`);
  });
});
