// Link fields of a scenario (latency, jitter, bandwidth, loss, duplicate, frame and queue limits)
// layered over a base LinkSpec: defaults, classes, generators, links and set-link events share it.
import { LINK_DEFAULTS, type JitterSpec, type LinkSpec } from '../core/index.js';
import type { JitterField, LinkFieldsValue } from './schema.js';

export function jitterSpec(jitter: JitterField): JitterSpec {
  switch (jitter.dist) {
    case 'uniform':
      return { kind: 'uniform', maxMs: jitter.maxMs };
    case 'normal':
      return { kind: 'normal', meanMs: jitter.meanMs, sdMs: jitter.sdMs };
    case 'exponential':
      return { kind: 'exponential', meanMs: jitter.meanMs };
    case 'pareto':
      return { kind: 'pareto', scaleMs: jitter.scaleMs, shape: jitter.shape };
    case 'bimodal':
      return { kind: 'bimodal', fastMs: jitter.fastMs, slowMs: jitter.slowMs, slowProbability: jitter.slowProbability };
  }
}

/** Applies the set fields of `fields` over `base`. */
export function layerLink(base: LinkSpec, fields: LinkFieldsValue | undefined): LinkSpec {
  if (fields === undefined) return base;
  return {
    latencyMs: fields.latency ?? base.latencyMs,
    jitter: fields.jitter === undefined ? base.jitter : jitterSpec(fields.jitter),
    bandwidthBytesPerSecond: fields.bandwidth ?? base.bandwidthBytesPerSecond,
    lossProbability: fields.loss ?? base.lossProbability,
    duplicateProbability: fields.duplicate ?? base.duplicateProbability,
    frameSizeMaxBytes: fields.frameSizeMax ?? base.frameSizeMaxBytes,
    queueBytesMax: fields.queueMax ?? base.queueBytesMax,
  };
}

/** Only the fields a `set-link` event changes. */
export function linkChange(fields: LinkFieldsValue): Partial<LinkSpec> {
  const full = layerLink(LINK_DEFAULTS, fields);
  const change: Partial<Record<keyof LinkSpec, unknown>> = {};
  const names: Record<keyof LinkFieldsValue, keyof LinkSpec> = {
    latency: 'latencyMs',
    jitter: 'jitter',
    bandwidth: 'bandwidthBytesPerSecond',
    loss: 'lossProbability',
    duplicate: 'duplicateProbability',
    frameSizeMax: 'frameSizeMaxBytes',
    queueMax: 'queueBytesMax',
  };
  for (const [field, specName] of Object.entries(names) as [keyof LinkFieldsValue, keyof LinkSpec][]) {
    if (fields[field] !== undefined) change[specName] = full[specName];
  }
  return change as Partial<LinkSpec>;
}
