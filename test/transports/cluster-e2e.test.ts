// End to end without a cluster: the manifests `deploy --emit` writes are run exactly as their
// pods and services would run them — the same node configs, keys and arguments, the nodes' DNS
// names mapped to 127.0.0.1 — as one `netmachine node` process per node, then the emitted collect
// step merges their traces and checks the scenario's expectations. The two runs go side by side;
// the start is far enough ahead for every process to boot on a loaded machine (the nodes then
// wait for it, as pods do).
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeContainer, kubernetesContainer, readManifests, runContainer, type KubeObject, type PodSpec, scratchFolders } from './cluster-run.js';
import { netmachine } from './node-processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const START_DELAY = '+20s';

/** Temporary folders (they hold emitted keys): removed when the file's tests end. */
const scratch = scratchFolders();

describe.concurrent('emitted manifests, run as their pods would run them', () => {
  it('Kubernetes: crash-restart.yaml over TLS meets its expectations (crash and restart from the nodes\' schedules)', async () => {
    const dir = scratch(join(tmpdir(), 'netmachine-k8s-'));
    const out = join(dir, 'manifests');
    const emitted = netmachine(ROOT, 'deploy', join(ROOT, 'scenarios/examples/crash-restart.yaml'), '--emit', 'k8s', '--out', out, '--transport', 'tls', '--start-at', START_DELAY, '--name', 'cr', '--namespace', 'sims', '--port-base', '21000');
    expect(emitted.status, emitted.stderr).toBe(0);
    const objects = readManifests(out, ['00-service.yaml', '10-traces.yaml', '20-secrets.yaml', '30-configmaps.yaml', '40-nodes.yaml', 'collect/collect-job.yaml']);
    const jobs = objects.filter((object) => object.kind === 'Job');
    const nodeJobs = jobs.filter((job) => job.metadata.labels?.['app.kubernetes.io/component'] === 'node');
    const podOf = (job: KubeObject): PodSpec => job.spec!.template!.spec;
    expect(nodeJobs.map((job) => podOf(job).hostname)).toEqual(['n1', 'n2', 'n3']);
    const shared = join(dir, 'volumes');
    const resolve = ['--resolve', '*.cr.sims.svc.cluster.local=127.0.0.1'];
    const runs = await Promise.all(nodeJobs.map((job) => runContainer(kubernetesContainer(objects, job.metadata.name, podOf(job), join(dir, 'pods', job.metadata.name), shared), resolve, 40_000)));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    for (const run of runs) expect(run.output).not.toMatch(/started-late|started \d+ ms after/);
    const collectJob = jobs.find((job) => job.metadata.name === 'cr-collect')!;
    const collect = await runContainer(kubernetesContainer(objects, 'cr-collect', podOf(collectJob), join(dir, 'pods', 'cr-collect'), shared), [], 20_000);
    expect(collect.code, collect.output).toBe(0);
    expect(collect.output).toMatch(/collected \d+ events of 3 nodes from 3 traces/);
    expect(collect.output).toMatch(/all 5 expectations hold/);
    const trace = readFileSync(join(shared, 'cr-traces', 'run.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(trace[0]).toMatchObject({ backend: 'tls', emulated: expect.arrayContaining(['partition', 'latency']) });
    expect(trace.filter((event) => event.kind === 'crash' || event.kind === 'restart').map((event) => `${event.kind} ${event.node}`)).toEqual(['crash n2', 'restart n2']);
  }, 60_000);

  it('Compose: a lossy, partitioned pub/sub scenario over TLS delivers every event to both subscribers (the topic key only on the publisher\'s node)', async () => {
    const dir = scratch(join(tmpdir(), 'netmachine-compose-'));
    const out = join(dir, 'project');
    const emitted = netmachine(ROOT, 'deploy', join(ROOT, 'test/transports/fixtures/cluster-pubsub.yaml'), '--emit', 'compose', '--out', out, '--transport', 'tls', '--start-at', START_DELAY, '--port-base', '21100');
    expect(emitted.status, emitted.stderr).toBe(0);
    const services = ['hub', 'left', 'right'];
    expect(services.map((service) => readdirSync(join(out, 'nodes', service, 'keys')).sort())).toEqual([['node.key', 'topic-1.key'], ['node.key'], ['node.key']]);
    const resolve = services.flatMap((service) => ['--resolve', `${service}=127.0.0.1`]);
    const runs = await Promise.all(services.map((service) => runContainer(composeContainer(out, service, join(dir, 'roots', service)), resolve, 40_000)));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    const collect = await runContainer(composeContainer(out, 'collect', join(dir, 'roots', 'collect')), [], 20_000);
    expect(collect.code, collect.output).toBe(0);
    for (const run of runs) expect(run.output).not.toMatch(/started \d+ ms after/);
    expect(collect.output).toMatch(/collected \d+ events of 3 nodes from 3 traces/);
    expect(collect.output).toMatch(/all 5 expectations hold/);
  }, 60_000);
});
