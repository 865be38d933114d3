// `netmachine deploy FILE --emit k8s|compose --out DIR`: a scenario's nodes as manifests for an
// existing engine. Kubernetes: a headless Service for stable DNS names
// (`<node>.<run>.<namespace>.svc.cluster.local`), one Job per node (one pod, never restarted) with
// its config in a ConfigMap and its keys in a Secret, a volume for the traces, and in collect/ a Job
// that merges the traces and checks the scenario's expectations plus a pod to copy them out.
// Compose: one service per node on a user-defined network, keys as secrets, configs as configs,
// traces in ./traces, and a collect service that runs once every node has finished.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { NetworkPlan } from '../core/index.js';
import { planCluster, type ClusterNode, type ClusterPlanOptions } from '../transports/index.js';
import { CliError } from './errors.js';

export type EmitTarget = 'k8s' | 'compose';

export interface EmitOptions extends Omit<ClusterPlanOptions, 'addressOf' | 'keyPath'> {
  readonly target: EmitTarget;
  readonly outDir: string;
  /** The run's name: the Service, the prefix of every object, the Compose project. */
  readonly name: string;
  readonly image: string;
  readonly namespace: string;
  /** The scenario file's text (the collect step checks its expectations). */
  readonly scenarioText: string;
}

/** The image's non-root user (Dockerfile). */
const IMAGE_USER = 10001;
/** Kubernetes refuses ConfigMaps and Secrets larger than this. */
const OBJECT_BYTES_MAX = 1024 * 1024;
const CONFIG_DIR = '/netmachine/config';
const KEY_DIR = '/netmachine/keys';
const SCENARIO_DIR = '/netmachine/scenario';
const TRACE_DIR = '/traces';

const nodeArgs = (node: ClusterNode): string[] => ['node', '--config', `${CONFIG_DIR}/node.yaml`, '--trace', `${TRACE_DIR}/${node.label}.jsonl`];
const collectArgs = (nodes: ReadonlyArray<ClusterNode>): string[] => ['collect', `${TRACE_DIR}/run.jsonl`, ...nodes.map((node) => `${TRACE_DIR}/${node.label}.jsonl`), '--scenario', `${SCENARIO_DIR}/scenario.yaml`];
const yamlDocuments = (documents: ReadonlyArray<unknown>): string => documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');

function labelsOf(options: EmitOptions, component: string, node?: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'netmachine', 'app.kubernetes.io/instance': options.name, 'app.kubernetes.io/component': component, ...(node !== undefined && { 'netmachine/node': node }) };
}

/** The pod security every emitted pod shares: the image's user, no privileges, a read-only root. */
const POD_SECURITY = { runAsNonRoot: true, runAsUser: IMAGE_USER, runAsGroup: IMAGE_USER, fsGroup: IMAGE_USER, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

function checkSize(what: string, text: string): void {
  if (Buffer.byteLength(text) > OBJECT_BYTES_MAX) throw new CliError('cli/emit-too-large', `${what} is ${Buffer.byteLength(text)} bytes, more than the ${OBJECT_BYTES_MAX} Kubernetes allows in one object (fewer events or links per node)`);
}

/** The Kubernetes manifests: file name (relative to the output folder) → YAML text. */
export function kubernetesManifests(options: EmitOptions, nodes: ReadonlyArray<ClusterNode>): Map<string, string> {
  const { name, namespace, image } = options;
  const metadata = (objectName: string, component: string, node?: string) => ({ name: objectName, namespace, labels: labelsOf(options, component, node) });
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name, 'node'),
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'node' } },
  };
  const traces = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(`${name}-traces`, 'traces'),
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
  };
  const secrets = nodes.map((node) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(`${name}-${node.label}`, 'node', node.name),
    type: 'Opaque',
    data: Object.fromEntries([...node.secrets].map(([file, content]) => [file, Buffer.from(content).toString('base64')])),
  }));
  const configMaps = nodes.map((node) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(`${name}-${node.label}`, 'node', node.name), data: { 'node.yaml': stringify(node.config, { lineWidth: 0 }) } }));
  const scenario = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(`${name}-scenario`, 'collect'), data: { 'scenario.yaml': options.scenarioText } };
  for (const object of [...secrets, ...configMaps, scenario]) checkSize(`${object.kind} ${object.metadata.name}`, JSON.stringify(object));
  const jobs = nodes.map((node) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(`${name}-${node.label}`, 'node', node.name),
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: labelsOf(options, 'node', node.name) },
        spec: {
          restartPolicy: 'Never',
          hostname: node.label,
          subdomain: name,
          securityContext: POD_SECURITY,
          containers: [
            {
              name: 'node',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: nodeArgs(node),
              ports: [
                { name: 'quic', containerPort: node.ports.quic, protocol: 'UDP' },
                { name: 'tls', containerPort: node.ports.tls, protocol: 'TCP' },
              ],
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'keys', mountPath: KEY_DIR, readOnly: true },
                { name: 'traces', mountPath: TRACE_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: `${name}-${node.label}` } },
            { name: 'keys', secret: { secretName: `${name}-${node.label}`, defaultMode: 0o440 } },
            { name: 'traces', persistentVolumeClaim: { claimName: `${name}-traces` } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  }));
  const traceVolumes = [
    { name: 'traces', persistentVolumeClaim: { claimName: `${name}-traces` } },
    { name: 'scenario', configMap: { name: `${name}-scenario` } },
    { name: 'tmp', emptyDir: {} },
  ];
  const collect = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(`${name}-collect`, 'collect'),
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: labelsOf(options, 'collect') },
        spec: {
          restartPolicy: 'Never',
          securityContext: POD_SECURITY,
          containers: [
            {
              name: 'collect',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: collectArgs(nodes),
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: 'traces', mountPath: TRACE_DIR },
                { name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: traceVolumes,
        },
      },
    },
  };
  // A pod that only holds the trace volume, for `kubectl cp` (a finished Job's pod cannot be copied from).
  const tracesPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(`${name}-traces`, 'traces'),
    spec: {
      restartPolicy: 'Never',
      securityContext: POD_SECURITY,
      containers: [
        {
          name: 'traces',
          image,
          imagePullPolicy: 'IfNotPresent',
          command: ['node', '-e', 'setTimeout(() => {}, 3600000)'],
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [{ name: 'traces', mountPath: TRACE_DIR, readOnly: true }],
        },
      ],
      volumes: [traceVolumes[0]],
    },
  };
  return new Map([
    ['00-service.yaml', yamlDocuments([service])],
    ['10-traces.yaml', yamlDocuments([traces])],
    ['20-secrets.yaml', yamlDocuments(secrets)],
    ['30-configmaps.yaml', yamlDocuments([...configMaps, scenario])],
    ['40-nodes.yaml', yamlDocuments(jobs)],
    [join('collect', 'collect-job.yaml'), yamlDocuments([collect])],
    [join('collect', 'traces-pod.yaml'), yamlDocuments([tracesPod])],
  ]);
}

/** The Compose project: compose.yaml plus the files it names (node configs, key files, the scenario). */
export function composeFiles(options: EmitOptions, nodes: ReadonlyArray<ClusterNode>, user: string): Map<string, string> {
  const files = new Map<string, string>();
  const secrets: Record<string, { file: string }> = {};
  const configs: Record<string, { file: string }> = {};
  const services: Record<string, unknown> = {};
  const hardening = { user, read_only: true, tmpfs: ['/tmp'], cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] };
  for (const node of nodes) {
    // nodes/<node>/config and nodes/<node>/keys, as in the container: the config's ../keys works on the host too.
    files.set(join('nodes', node.label, 'config', 'node.yaml'), stringify(node.config, { lineWidth: 0 }));
    configs[`${node.label}-config`] = { file: `./nodes/${node.label}/config/node.yaml` };
    for (const [file, content] of node.secrets) {
      files.set(join('nodes', node.label, 'keys', file), content);
      secrets[`${node.label}-${file.replace(/\.key$/, '')}`] = { file: `./nodes/${node.label}/keys/${file}` };
    }
    services[node.label] = {
      image: options.image,
      hostname: node.label,
      command: nodeArgs(node),
      networks: ['netmachine'],
      configs: [{ source: `${node.label}-config`, target: `${CONFIG_DIR}/node.yaml` }],
      secrets: [...node.secrets.keys()].map((file) => ({ source: `${node.label}-${file.replace(/\.key$/, '')}`, target: `${KEY_DIR}/${file}` })),
      volumes: [{ type: 'bind', source: './traces', target: TRACE_DIR }],
      ...hardening,
    };
  }
  files.set('scenario.yaml', options.scenarioText);
  configs.scenario = { file: './scenario.yaml' };
  services.collect = {
    image: options.image,
    command: collectArgs(nodes),
    depends_on: Object.fromEntries(nodes.map((node) => [node.label, { condition: 'service_completed_successfully' }])),
    configs: [{ source: 'scenario', target: `${SCENARIO_DIR}/scenario.yaml` }],
    volumes: [{ type: 'bind', source: './traces', target: TRACE_DIR }],
    networks: ['netmachine'],
    ...hardening,
  };
  files.set('compose.yaml', stringify({ name: options.name, services, networks: { netmachine: { driver: 'bridge' } }, configs, secrets }, { lineWidth: 0 }));
  return files;
}

/** Writes the manifests of `plan` into `options.outDir` (which must be absent or empty); returns the files written and the notes. */
export function emitCluster(plan: NetworkPlan, options: EmitOptions): { files: string[]; notes: ReadonlyArray<string> } {
  if (existsSync(options.outDir) && readdirSync(options.outDir).length > 0) throw new CliError('cli/bad-out', `--out ${options.outDir}: the folder is not empty (emitted keys are never written over other files)`);
  const addressOf = (label: string): string => (options.target === 'k8s' ? `${label}.${options.name}.${options.namespace}.svc.cluster.local` : label);
  const cluster = planCluster(plan, { ...options, addressOf, keyPath: '../keys' });
  // Compose bind-mounts the key files: the container runs as their owner (the emitting user), or as the image's user when that is root.
  const uid = process.getuid?.() ?? IMAGE_USER;
  const isRoot = uid === 0;
  const user = isRoot ? `${IMAGE_USER}:${IMAGE_USER}` : `${uid}:${process.getgid?.() ?? uid}`;
  const files = options.target === 'k8s' ? kubernetesManifests(options, cluster.nodes) : composeFiles(options, cluster.nodes, user);
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [file, text] of files) {
    const path = join(options.outDir, file);
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    const isSecret = file.endsWith('.key') || file === '20-secrets.yaml';
    writeFileSync(path, text, { mode: isSecret ? 0o600 : 0o644, flag: 'wx' });
    if (isSecret && isRoot && options.target === 'compose') chownSync(path, IMAGE_USER, IMAGE_USER);
    written.push(file);
  }
  if (options.target === 'compose') {
    const traces = join(options.outDir, 'traces');
    mkdirSync(traces, { mode: 0o755 });
    if (isRoot) chownSync(traces, IMAGE_USER, IMAGE_USER);
    else chmodSync(traces, 0o755);
  }
  return { files: written, notes: cluster.notes };
}
