// The flags of `netmachine deploy --emit k8s|compose`: checked together, each problem named by its
// flag (exit 2). Flags that only make sense for a local run (--in-process, --trace, --report) are
// refused with --emit, and the emit flags without it.
import { parseDuration } from '../scenarios/index.js';
import { CliError } from './errors.js';
import type { EmitTarget } from './emit-cluster.js';
import { packageVersion } from './version.js';

export interface EmitFlags {
  readonly emit?: string;
  readonly out?: string;
  readonly image?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly startAt?: string;
  readonly portBase?: string;
  readonly inProcess?: boolean;
  readonly trace?: string;
  readonly report?: string;
  readonly bootConcurrency?: string;
}

export interface ParsedEmitFlags {
  readonly target: EmitTarget;
  readonly outDir: string;
  readonly image: string;
  readonly namespace: string;
  readonly name?: string;
  readonly originMs: number;
  readonly portBase: number;
}

/** Kubernetes object names (and the Service's DNS label): RFC 1123 labels. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Start-time delay when --start-at is not given: time to apply the manifests and pull the image. */
export const START_DELAY_DEFAULT = '+60s';

/** `+DURATION` from `nowMs`, or an ISO 8601 time with a zone (`2026-12-04T10:00:00Z`). */
export function parseStartAt(text: string, nowMs: number): number {
  if (text.startsWith('+')) {
    const delay = parseDuration(text.slice(1));
    if (!delay.ok) throw new CliError('cli/bad-start-at', `--start-at ${text}: ${delay.error}`);
    return Math.round(nowMs + delay.value);
  }
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new CliError('cli/bad-start-at', `--start-at: expected +DURATION (e.g. +2m) or an ISO 8601 time with its zone (e.g. 2026-12-04T10:00:00Z), got "${text}"`);
  if (ms < nowMs) throw new CliError('cli/bad-start-at', `--start-at ${text}: that time has passed`);
  return ms;
}

/** Checks the emit flags; undefined when --emit is not given (and no emit flag is). */
export function parseEmitFlags(flags: EmitFlags, nowMs: number): ParsedEmitFlags | undefined {
  const emitOnly = (['out', 'image', 'namespace', 'name', 'startAt', 'portBase'] as const).filter((flag) => flags[flag] !== undefined);
  const flagName = (flag: string): string => `--${flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
  if (flags.emit === undefined) {
    if (emitOnly.length > 0) throw new CliError('cli/bad-flags', `${emitOnly.map(flagName).join(', ')}: only with --emit k8s|compose`);
    return undefined;
  }
  if (flags.emit !== 'k8s' && flags.emit !== 'compose') throw new CliError('cli/bad-emit', `--emit: expected k8s or compose, got "${flags.emit}"`);
  const local = (['inProcess', 'trace', 'report', 'bootConcurrency'] as const).filter((flag) => flags[flag] !== undefined);
  if (local.length > 0) throw new CliError('cli/bad-flags', `${local.map(flagName).join(', ')}: not with --emit (the nodes run on the cluster; collect their traces there)`);
  if (flags.out === undefined) throw new CliError('cli/bad-flags', '--emit: give --out DIR, the folder to write the manifests to');
  if (flags.emit === 'compose' && flags.namespace !== undefined) throw new CliError('cli/bad-flags', '--namespace: only with --emit k8s');
  const namespace = flags.namespace ?? 'default';
  if (!LABEL.test(namespace)) throw new CliError('cli/bad-namespace', `--namespace: expected a Kubernetes namespace (lowercase letters, digits and "-", at most 63), got "${namespace}"`);
  if (flags.name !== undefined && (!LABEL.test(flags.name) || flags.name.length > 40)) throw new CliError('cli/bad-name', `--name: expected lowercase letters, digits and "-" (at most 40: object names add a node's name), got "${flags.name}"`);
  const image = flags.image ?? `netmachine:${packageVersion()}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(image) || image.length > 255) throw new CliError('cli/bad-image', `--image: expected an image reference such as registry.example/netmachine:0.1.0, got "${image}"`);
  const portText = flags.portBase ?? '7000';
  const portBase = /^[0-9]+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(portBase >= 1024 && portBase <= 65000)) throw new CliError('cli/bad-port-base', `--port-base: expected a port from 1024 to 65000, got "${portText}"`);
  return {
    target: flags.emit,
    outDir: flags.out,
    image,
    namespace,
    ...(flags.name !== undefined && { name: flags.name }),
    originMs: parseStartAt(flags.startAt ?? START_DELAY_DEFAULT, nowMs),
    portBase,
  };
}
