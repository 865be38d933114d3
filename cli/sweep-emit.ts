// `check --emit k8s|github`: a sharded sweep for an existing engine — a Kubernetes Indexed Job (one
// pod per shard, results on a shared volume, then `check --merge`) or a GitHub Actions matrix (one
// job per shard, results as artifacts, a merge job).
import { stringify } from 'yaml';
import { CliError } from './errors.js';

/** The manifest or workflow text for `target` (`k8s` or `github`). */
export function emitSweep(target: string, file: string, seeds: string, shardsText: string, image: string, extraArgs: ReadonlyArray<string> = []): string {
  const shards = Number(shardsText);
  if (!Number.isInteger(shards) || shards < 1 || shards > 10_000) throw new CliError('cli/bad-shards', `--shards: expected an integer between 1 and 10000, got "${shardsText}"`);
  const shardCommand = (index: string, out: string): string => `netmachine check ${file} --seeds ${seeds} --shard ${index}/${shards} --json ${out} --no-shrink${extraArgs.map((arg) => ` ${arg}`).join('')}`;
  switch (target) {
    case 'k8s': {
      const job = kubernetesJob(file, shards, image, shardCommand('$((JOB_COMPLETION_INDEX + 1))', '/results/shard-$((JOB_COMPLETION_INDEX + 1)).json'));
      const name = (job['metadata'] as { name: string }).name;
      const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${name}-results` }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } };
      const merge = mergeJob(name, image, shards);
      return [
        `# A sweep of ${file} (seeds ${seeds}) in ${shards} shards: kubectl apply -f this file; the shards`,
        `# write /results/shard-<i>.json; once job/${name} completes, job/${name}-merge prints the report`,
        `# (kubectl logs job/${name}-merge). Its exit code is check's: 0 all passed, 1 some seeds failed.`,
        [claim, job, merge].map((document) => stringify(document, { lineWidth: 0 })).join('---\n'),
      ].join('\n');
    }
    case 'github':
      return stringify(githubWorkflow(shards, shardCommand('${{ matrix.shard }}', 'shard-${{ matrix.shard }}.json')), { lineWidth: 0 });
    default:
      throw new CliError('cli/bad-emit', `--emit: expected k8s or github, got "${target}"`);
  }
}

/** The image's non-root user (Dockerfile); fsGroup makes the results volume writable for it. */
const IMAGE_USER = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 };

function kubernetesJob(file: string, shards: number, image: string, command: string): Record<string, unknown> {
  const name = `netmachine-check-${file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 30)}`.replace(/-+$/, '');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { app: 'netmachine-check' } },
    spec: {
      completionMode: 'Indexed',
      completions: shards,
      parallelism: shards,
      backoffLimit: 0,
      template: {
        metadata: { labels: { app: 'netmachine-check' } },
        spec: {
          restartPolicy: 'Never',
          securityContext: IMAGE_USER,
          containers: [
            {
              name: 'check',
              image,
              // Exit 1 (failing seeds) is a result, not a pod failure: the merge reads the JSON.
              command: ['sh', '-c', `${command}; code=$?; [ $code -le 1 ]`],
              volumeMounts: [{ name: 'results', mountPath: '/results' }],
              resources: { requests: { cpu: '1', memory: '1Gi' } },
            },
          ],
          volumes: [{ name: 'results', persistentVolumeClaim: { claimName: `${name}-results` } }],
        },
      },
    },
  };
}

/** Waits for every shard's result, then merges them. */
function mergeJob(name: string, image: string, shards: number): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-merge`, labels: { app: 'netmachine-check' } },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          securityContext: IMAGE_USER,
          containers: [
            {
              name: 'merge',
              image,
              command: ['sh', '-c', `until [ $(ls /results/shard-*.json 2>/dev/null | wc -l) -ge ${shards} ]; do sleep 5; done; netmachine check --merge /results/shard-*.json`],
              volumeMounts: [{ name: 'results', mountPath: '/results' }],
            },
          ],
          volumes: [{ name: 'results', persistentVolumeClaim: { claimName: `${name}-results` } }],
        },
      },
    },
  };
}

function githubWorkflow(shards: number, command: string): Record<string, unknown> {
  return {
    name: 'netmachine check',
    on: { workflow_dispatch: {} },
    jobs: {
      shard: {
        'runs-on': 'ubuntu-latest',
        strategy: { 'fail-fast': false, matrix: { shard: Array.from({ length: shards }, (_, i) => i + 1) } },
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': 22 } },
          { run: 'npm ci' },
          { run: `npx ${command} || [ $? -le 1 ]` },
          { uses: 'actions/upload-artifact@v4', with: { name: 'shard-${{ matrix.shard }}', path: 'shard-${{ matrix.shard }}.json' } },
        ],
      },
      merge: {
        needs: 'shard',
        'runs-on': 'ubuntu-latest',
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': 22 } },
          { run: 'npm ci' },
          { uses: 'actions/download-artifact@v4', with: { path: 'shards', 'merge-multiple': true } },
          { run: 'npx netmachine check --merge shards/*.json' },
        ],
      },
    },
  };
}
