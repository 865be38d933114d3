// Runs emitted cluster manifests on this machine as a kubelet or Compose would, without either:
// each pod or service gets a root folder in which its volumes (ConfigMaps, Secrets, the trace
// volume, Compose configs, secrets and bind mounts) appear at their mount paths; its container's
// arguments are run as `netmachine …` (the image's entry point) with every absolute path under a
// mount moved into that root, and the nodes' DNS names mapped to 127.0.0.1 (`--resolve`).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** The parts of Kubernetes objects read here. */
export interface KubeObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: { readonly template?: { readonly spec: PodSpec }; readonly [field: string]: unknown };
}
interface Volume {
  readonly name: string;
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string; readonly defaultMode?: number };
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly emptyDir?: object;
}
export interface PodSpec {
  readonly hostname?: string;
  readonly containers: ReadonlyArray<{ readonly command?: string[]; readonly args?: string[]; readonly volumeMounts: ReadonlyArray<{ readonly name: string; readonly mountPath: string }> }>;
  readonly volumes: ReadonlyArray<Volume>;
}
interface ComposeProject {
  readonly services: Record<string, { readonly command: string[]; readonly configs?: Array<{ source: string; target: string }>; readonly secrets?: Array<{ source: string; target: string }>; readonly volumes?: Array<{ source: string; target: string }> }>;
  readonly configs: Record<string, { readonly file: string }>;
  readonly secrets: Record<string, { readonly file: string }>;
}

/** One container as it would run: its name, netmachine arguments and the folder standing for its root. */
export interface RunnableContainer {
  readonly name: string;
  readonly args: ReadonlyArray<string>;
  readonly root: string;
  readonly mounts: ReadonlyArray<string>;
}

/** Every YAML document of the files given (Kubernetes objects). */
export function readManifests(dir: string, files: ReadonlyArray<string>): KubeObject[] {
  return files.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => document.toJS() as KubeObject));
}

/** The path `path` has inside `root` when it lies under a mount (else unchanged). */
function rooted(root: string, mounts: ReadonlyArray<string>, path: string): string {
  return mounts.some((mount) => path === mount || path.startsWith(`${mount}/`)) ? join(root, path) : path;
}

/** Lays out a Kubernetes pod spec's volumes under `root` (`shared` holds the persistent volumes). */
export function kubernetesContainer(objects: ReadonlyArray<KubeObject>, name: string, podSpec: PodSpec, root: string, shared: string): RunnableContainer {
  const container = podSpec.containers[0]!;
  const volumes = new Map(podSpec.volumes.map((volume) => [volume.name, volume]));
  const find = (kind: string, objectName: string) => objects.find((object) => object.kind === kind && object.metadata.name === objectName)!;
  const mounts: string[] = [];
  for (const mount of container.volumeMounts) {
    const volume = volumes.get(mount.name)!;
    const at = join(root, mount.mountPath);
    mounts.push(mount.mountPath);
    if (volume.configMap !== undefined || volume.secret !== undefined) {
      mkdirSync(at, { recursive: true });
      const object = volume.configMap !== undefined ? find('ConfigMap', volume.configMap.name) : find('Secret', volume.secret!.secretName);
      for (const [file, content] of Object.entries(object.data ?? {})) writeFileSync(join(at, file), volume.secret !== undefined ? Buffer.from(content, 'base64') : content, { mode: volume.secret?.defaultMode ?? 0o644 });
    } else if (volume.persistentVolumeClaim !== undefined) {
      const claim = join(shared, volume.persistentVolumeClaim.claimName);
      mkdirSync(claim, { recursive: true });
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(claim, at);
    } else mkdirSync(at, { recursive: true }); // emptyDir
  }
  const args = [...(container.command ?? []), ...(container.args ?? [])].map((arg) => rooted(root, mounts, arg));
  return { name, args, root, mounts };
}

/** Lays out a Compose service's configs, secrets and bind mounts under `root`. */
export function composeContainer(project: string, service: string, root: string): RunnableContainer {
  const compose = parse(readFileSync(join(project, 'compose.yaml'), 'utf8')) as ComposeProject;
  const spec = compose.services[service]!;
  const mounts: string[] = [];
  const place = (source: string, target: string): void => {
    mkdirSync(dirname(join(root, target)), { recursive: true });
    cpSync(resolve(project, source), join(root, target));
    mounts.push(target);
  };
  for (const config of spec.configs ?? []) place(compose.configs[config.source]!.file, config.target);
  for (const secret of spec.secrets ?? []) place(compose.secrets[secret.source]!.file, secret.target);
  for (const volume of spec.volumes ?? []) {
    mkdirSync(dirname(join(root, volume.target)), { recursive: true });
    symlinkSync(resolve(project, volume.source), join(root, volume.target));
    mounts.push(volume.target);
  }
  return { name: service, args: spec.command.map((arg) => rooted(root, mounts, arg)), root, mounts };
}

/** Runs `netmachine <args>` (the image's entry point); resolves with its exit code and output. */
export function runContainer(container: RunnableContainer, extra: ReadonlyArray<string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(ROOT, 'cli', 'netmachine.js'), ...container.args, ...extra], { cwd: container.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/** A maker of temporary folders under a prefix, all removed when the calling test file's tests end. */
export function scratchFolders(): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (prefix) => {
    const dir = mkdtempSync(prefix);
    dirs.push(dir);
    return dir;
  };
}
