// `netmachine deploy --emit k8s|compose`: the manifests validate against the vendored Kubernetes
// (v1.32.2, strict) and Compose schemas (test/fixtures/schemas/README.md); each node's keys are
// random and given to that node only; the node configs carry the peers' signed adverts naming the
// DNS addresses; bad flags are refused with exit 2 before anything is written.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createNodeCrypto, fromHex, IdentityStore } from '../../core/index.js';
import { loadScenario } from '../../scenarios/index.js';
import { admitPeer, parseAdvertText } from '../../transports/index.js';
import { emitCluster, type EmitOptions } from '../../cli/emit-cluster.js';
import { scratchFolders } from './cluster-run.js';
import { netmachine } from './node-processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMAS = join(ROOT, 'test', 'fixtures', 'schemas');
const K8S = join(SCHEMAS, 'kubernetes-v1.32.2-standalone-strict');
const EXAMPLES = ['crash-restart.yaml', 'pubsub-star.yaml', 'partition-heal.yaml', 'anycast-fallback.yaml', 'clock-skew.yaml', 'storage-replication.yaml'];

type Manifest = { kind: string; apiVersion: string; metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string>; spec?: Record<string, unknown> };

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
/** The OpenAPI formats the Kubernetes schemas name (ajv knows none of them). */
const FORMATS = {
  int32: { type: 'number' as const, validate: (value: number) => Number.isInteger(value) && Math.abs(value) < 2 ** 31 },
  int64: { type: 'number' as const, validate: (value: number) => Number.isSafeInteger(value) },
  byte: { type: 'string' as const, validate: (value: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0 },
  'date-time': { type: 'string' as const, validate: (value: string) => !Number.isNaN(Date.parse(value)) },
};

function kubernetesValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, formats: FORMATS });
  const load = (file: string): ValidateFunction => ajv.compile({ ...readJson(join(K8S, file)), $schema: undefined, $id: file });
  const job = load('job-batch-v1.json');
  const template = ajv.getSchema('job-batch-v1.json#/properties/spec/properties/template')!;
  // A Pod is apiVersion/kind around the same PodTemplateSpec a Job carries.
  const pod = ((value: Manifest) => {
    const { apiVersion, kind, ...rest } = value;
    const isValid = apiVersion === 'v1' && kind === 'Pod' && (template(rest) as boolean);
    pod.errors = isValid ? null : (template.errors ?? ([{ instancePath: '/kind', message: 'expected apiVersion v1, kind Pod' }] as unknown as ValidateFunction['errors']));
    return isValid;
  }) as unknown as ValidateFunction;
  return new Map([
    ['Job', job],
    ['Service', load('service-v1.json')],
    ['Secret', load('secret-v1.json')],
    ['ConfigMap', load('configmap-v1.json')],
    ['PersistentVolumeClaim', load('persistentvolumeclaim-v1.json')],
    ['Pod', pod],
  ]);
}
const VALIDATORS = kubernetesValidators();
const composeValidator = new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile({ ...readJson(join(SCHEMAS, 'compose-spec.json')), $schema: undefined });

/** Problems of one Kubernetes object ("" when valid). */
function kubernetesProblems(object: Manifest): string[] {
  const validate = VALIDATORS.get(object.kind);
  if (validate === undefined) return [`${object.kind}: no schema`];
  const name = `${object.kind} ${object.metadata.name}`;
  return validate(object) ? [] : (validate.errors ?? []).map((error) => `${name} ${error.instancePath}: ${error.message} ${JSON.stringify(error.params)}`);
}

function readK8s(dir: string): Manifest[] {
  const files = [...readdirSync(dir).filter((file) => file.endsWith('.yaml')), ...readdirSync(join(dir, 'collect')).map((file) => join('collect', file))];
  return files.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => document.toJS() as Manifest));
}

async function emit(example: string, overrides: Partial<EmitOptions> & Pick<EmitOptions, 'target'>): Promise<{ dir: string; notes: ReadonlyArray<string> }> {
  const file = join(ROOT, 'scenarios', 'examples', example);
  const scenario = await loadScenario(file);
  const dir = join(scratch(join(tmpdir(), 'netmachine-emit-')), 'out');
  const { notes } = emitCluster(scenario.plan, { outDir: dir, name: 'run', image: 'netmachine:0.1.0', namespace: 'sims', scenarioText: readFileSync(file, 'utf8'), transport: 'both', originMs: Date.now() + 60_000, portBase: 7000, ...overrides });
  return { dir, notes };
}

/** Temporary folders (they hold emitted keys): removed when the file's tests end. */
const scratch = scratchFolders();

describe('deploy --emit k8s', () => {
  it('every object of every example validates against the Kubernetes v1.32.2 strict schemas', async () => {
    for (const example of EXAMPLES) {
      const { dir } = await emit(example, { target: 'k8s' });
      const objects = readK8s(dir);
      expect(new Set(objects.map((object) => object.kind))).toEqual(new Set(['Service', 'PersistentVolumeClaim', 'Secret', 'ConfigMap', 'Job', 'Pod']));
      expect(objects.flatMap(kubernetesProblems), example).toEqual([]);
    }
  });

  it('the schemas refuse what Kubernetes would refuse: an unknown field, a wrong type, a missing container image', async () => {
    const { dir } = await emit('crash-restart.yaml', { target: 'k8s' });
    const job = readK8s(dir).find((object) => object.kind === 'Job')!;
    const podSpec = () => (structuredClone(job) as unknown as { spec: { template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } } } });
    const typo = podSpec();
    typo.spec.template.spec.hostnme = 'n1';
    const wrongType = podSpec();
    wrongType.spec.template.spec.containers[0]!.ports = [{ containerPort: '7000' }];
    const noName = podSpec();
    delete noName.spec.template.spec.containers[0]!.name;
    for (const bad of [typo, wrongType, noName]) expect(kubernetesProblems(bad as unknown as Manifest).length).toBeGreaterThan(0);
    expect(kubernetesProblems({ ...job, kind: 'Pod', apiVersion: 'v1' }).length).toBeGreaterThan(0); // a Job's spec is no pod template
  });

  it('DNS names, one Secret per node with only its own keys, adverts signed for the DNS addresses', async () => {
    const { dir } = await emit('pubsub-star.yaml', { target: 'k8s', transport: 'both' });
    const objects = readK8s(dir);
    const service = objects.find((object) => object.kind === 'Service')!;
    expect(service.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    const jobs = objects.filter((object) => object.kind === 'Job' && object.metadata.labels?.['app.kubernetes.io/component'] === 'node');
    expect(jobs.map((job) => (job.spec as { template: { spec: { hostname: string; subdomain: string } } }).template.spec)).toEqual(
      ['s1', 's2', 's3', 's4', 's5'].map((hostname) => expect.objectContaining({ hostname, subdomain: 'run' })),
    );
    const secrets = objects.filter((object) => object.kind === 'Secret');
    const keysOf = (name: string) => Object.keys(secrets.find((secret) => secret.metadata.name === `run-${name}`)!.data!).sort();
    expect(keysOf('s1')).toEqual(['node.key', 'topic-1.key']); // the publisher's node holds the topic key
    for (const name of ['s2', 's3', 's4', 's5']) expect(keysOf(name)).toEqual(['node.key']);
    const crypto = createNodeCrypto();
    const nodeIds = new Map(secrets.map((secret) => [secret.metadata.labels!['netmachine/node']!, crypto.keyPair(fromHex(Buffer.from(secret.data!['node.key']!, 'base64').toString().trim())).id]));
    expect(new Set(nodeIds.values()).size).toBe(5);
    const config = parse(objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'run-s2')!.data!['node.yaml']!) as { peers: Array<{ name: string; advert: string; engines: Record<string, string> }>; topics: Record<string, unknown>; key: string; listen: unknown };
    expect(config.key).toBe('../keys/node.key');
    expect(config.listen).toEqual({ host: '0.0.0.0', quic: 7002, tls: 7003 });
    expect(config.topics.news).toMatch(/^topic:[0-9a-f]{64}$/);
    const hub = config.peers.find((peer) => peer.name === 's1')!;
    const advert = parseAdvertText(hub.advert, 'node');
    expect(advert.ok && advert.value.id).toBe(nodeIds.get('s1'));
    expect(advert.ok && advert.value.addresses.map((entry) => entry.address)).toEqual(['quic://s1.run.sims.svc.cluster.local:7000', 'tls://s1.run.sims.svc.cluster.local:7001']);
    const admitted = admitPeer(new IdentityStore(), crypto, { name: 's1', advert: hub.advert, engines: hub.engines }, nodeIds.get('s2')!, Date.now());
    expect(admitted.ok).toBe(true); // signatures verify, engines run on s1
  });

  it('keys are random per emit (never derived from names or the seed), and kept with --keys', async () => {
    const keyOf = (dir: string): string => readK8s(dir).find((object) => object.kind === 'Secret' && object.metadata.name === 'run-n1')!.data!['node.key']!;
    const [a, b] = [await emit('crash-restart.yaml', { target: 'k8s' }), await emit('crash-restart.yaml', { target: 'k8s' })];
    expect(keyOf(a.dir)).not.toBe(keyOf(b.dir));
    const keyDir = scratch(join(tmpdir(), 'netmachine-emit-keys-'));
    const [c, d] = [await emit('crash-restart.yaml', { target: 'k8s', keyDir }), await emit('crash-restart.yaml', { target: 'k8s', keyDir })];
    expect(keyOf(c.dir)).toBe(keyOf(d.dir));
    expect(readFileSync(join(keyDir, 'nodes', 'n1.key'), 'utf8')).toBe(Buffer.from(keyOf(c.dir), 'base64').toString());
  });

  it('each node\'s schedule holds its own events and the network\'s; simulator-only faults are left out with a note', async () => {
    const { dir } = await emit('crash-restart.yaml', { target: 'k8s' });
    const configs = readK8s(dir).filter((object) => object.kind === 'ConfigMap' && object.metadata.name !== 'run-scenario');
    const schedules = new Map(configs.map((object) => [object.metadata.labels!['netmachine/node']!, (parse(object.data!['node.yaml']!) as { schedule: { events: Array<{ kind: string; node?: string; from?: string }>; isRecorder: boolean; durationMs: number } }).schedule]));
    expect(schedules.get('n2')!.events.filter((event) => event.kind === 'crash' || event.kind === 'restart')).toEqual([{ atMs: 1500, kind: 'crash', node: 'n2' }, { atMs: 3000, kind: 'restart', node: 'n2' }]);
    expect(schedules.get('n1')!.events.some((event) => event.kind === 'crash')).toBe(false);
    expect(schedules.get('n2')!.events.filter((event) => event.kind === 'send').every((event) => event.from!.startsWith('n2/'))).toBe(true);
    expect([...schedules.values()].map((schedule) => [schedule.isRecorder, schedule.durationMs])).toEqual([[true, 6000], [false, 6000], [false, 6000]]);
    const scenario = join(scratch(join(tmpdir(), 'netmachine-emit-')), 'sim-only.yaml');
    writeFileSync(scenario, 'name: sim-only\nduration: 2s\ntopology: { nodes: [a, b], links: [[a, b]] }\nengines: [{ on: all, kind: echo }]\nevents:\n  - { at: 1s, corrupt-write: { node: a } }\n');
    const out = join(scenario, '..', 'out');
    const result = netmachine(ROOT, 'deploy', scenario, '--emit', 'k8s', '--out', out);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/note: corrupt-write at 1000 ms left out: it runs in the simulator only/);
  });
});

describe('check --emit k8s (a sharded sweep)', () => {
  it('its PersistentVolumeClaim and Indexed Jobs validate, run as the image\'s user with a writable results volume, and name a pinned image', () => {
    const result = netmachine(ROOT, 'check', 'scenarios/examples/crash-restart.yaml', '--seeds', '1..100', '--emit', 'k8s', '--shards', '3');
    expect(result.status, result.stderr).toBe(0);
    const objects = parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
    expect(objects.map((object) => object.kind)).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    expect(objects.flatMap(kubernetesProblems)).toEqual([]);
    for (const job of objects.slice(1)) {
      const pod = (job.spec as { template: { spec: { securityContext: unknown; containers: Array<{ image: string }> } } }).template.spec;
      expect(pod.securityContext).toMatchObject({ runAsUser: 10001, fsGroup: 10001 });
      expect(pod.containers[0]!.image).toMatch(/^netmachine:\d+\.\d+\.\d+$/);
    }
  });
});

describe('deploy --emit compose', () => {
  it('compose.yaml of every example validates against the Compose schema; one service per node on a user-defined network', async () => {
    for (const example of EXAMPLES) {
      const { dir } = await emit(example, { target: 'compose' });
      const project = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as { services: Record<string, { networks: string[]; secrets: Array<{ target: string }> }>; networks: Record<string, unknown> };
      expect(composeValidator(project) ? [] : composeValidator.errors, example).toEqual([]);
      expect(project.networks).toEqual({ netmachine: { driver: 'bridge' } });
      const nodes = Object.entries(project.services).filter(([name]) => name !== 'collect');
      for (const [, service] of nodes) expect(service.networks).toEqual(['netmachine']);
      expect(existsSync(join(dir, 'traces'))).toBe(true);
    }
    const bad = { services: { n1: { image: 'netmachine:0.1.0', comand: ['node'] } } };
    expect(composeValidator(bad)).toBe(false);
  });
});

describe('deploy --emit flag errors (exit 2, nothing written)', () => {
  const scenario = join(ROOT, 'scenarios', 'examples', 'crash-restart.yaml');
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown target', ['--emit', 'helm', '--out', 'OUT'], /--emit: expected k8s or compose, got "helm"/],
    ['no --out', ['--emit', 'k8s'], /--emit: give --out DIR/],
    ['--out without --emit', ['--out', 'OUT'], /--out: only with --emit k8s\|compose/],
    ['a local-run flag with --emit', ['--emit', 'k8s', '--out', 'OUT', '--in-process'], /--in-process: not with --emit/],
    ['--boot-concurrency with --emit', ['--emit', 'k8s', '--out', 'OUT', '--boot-concurrency', '4'], /--boot-concurrency: not with --emit/],
    ['a bad --boot-concurrency', ['--boot-concurrency', '0'], /--boot-concurrency: expected a whole number from 1 to 1024, got "0"/],
    ['a bad start time', ['--emit', 'k8s', '--out', 'OUT', '--start-at', 'tomorrow'], /--start-at: expected \+DURATION/],
    ['a start time in the past', ['--emit', 'k8s', '--out', 'OUT', '--start-at', '2020-01-01T00:00:00Z'], /--start-at 2020-01-01T00:00:00Z: that time has passed/],
    ['--namespace with compose', ['--emit', 'compose', '--out', 'OUT', '--namespace', 'x'], /--namespace: only with --emit k8s/],
    ['a bad namespace', ['--emit', 'k8s', '--out', 'OUT', '--namespace', 'Big_NS'], /--namespace: expected a Kubernetes namespace/],
    ['a bad port base', ['--emit', 'k8s', '--out', 'OUT', '--port-base', '80'], /--port-base: expected a port from 1024 to 65000, got "80"/],
  ];
  for (const [what, flags, message] of cases) {
    it(what, () => {
      const out = join(scratch(join(tmpdir(), 'netmachine-emit-')), 'out');
      const result = netmachine(ROOT, 'deploy', scenario, ...flags.map((flag) => (flag === 'OUT' ? out : flag)));
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a folder that is not empty, and engines from modules, are refused', () => {
    const out = scratch(join(tmpdir(), 'netmachine-emit-'));
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const busy = netmachine(ROOT, 'deploy', scenario, '--emit', 'k8s', '--out', out);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/the folder is not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    const fresh = join(out, 'fresh');
    const moduled = netmachine(ROOT, 'deploy', join(ROOT, 'scenarios', 'examples', 'user-engine.yaml'), '--emit', 'compose', '--out', fresh);
    expect(moduled.status).toBe(2);
    expect(moduled.stderr).toMatch(/comes from the module .*built-in engines only .*\[deploy\/emit-module\]/);
    expect(existsSync(fresh)).toBe(false);
  });

  it('netmachine node --resolve checks its mappings', () => {
    for (const [flag, message] of [['n1', /expected NAME=ADDRESS/], ['n1=somewhere', /expected an IP address after "="/], ['bad_name=127.0.0.1', /expected NAME=ADDRESS/]] as const) {
      const result = netmachine(ROOT, 'node', '--config', 'absent.yaml', '--resolve', flag);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
