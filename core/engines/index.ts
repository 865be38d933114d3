import type { EngineFactory } from '../engine.js';
import { createClientEngine } from './client.js';
import type { EngineSpec } from './params.js';
import { EXT_CLIENT_SPEC } from './anycast.js';
import { DOMAIN_SPEC } from './domain.js';
import { ECHO_SPEC } from './echo.js';
import { PING_SPEC } from './ping.js';
import { PUBSUB_SPEC } from './pubsub.js';
import { PUBLISHER_SPEC, SUBSCRIBER_SPEC } from './pubsub-local.js';
import { RELAY_ROUTE_SPEC, RELAY_SPEC } from './relay.js';
import { SINK_SPEC } from './sink.js';
import { STORAGE_CLIENT_SPEC } from './storage-client.js';
import { STORAGE_SPEC } from './storage.js';
import { TOPOLOGY_SPEC, createTopologyEngine } from './topology.js';
import { WORKLOAD_SPEC } from './workload.js';
import { createEchoEngine } from './echo.js';
import { createPingEngine } from './ping.js';
import { createPubSubEngine } from './pubsub.js';
import { createPublisherEngine, createSubscriberEngine } from './pubsub-local.js';
import { createStorageClientEngine } from './storage-client.js';
import { createStorageEngine } from './storage.js';
import { createRelayEngine, createRelayRouteEngine } from './relay.js';
import { createExtClientEngine } from './anycast.js';
import { createDomainEngine } from './domain.js';
import { createSinkEngine } from './sink.js';
import { createWorkloadEngine } from './workload.js';

/** The built-in engine kinds, by the name scenario files use. */
export const BUILTIN_ENGINES: ReadonlyMap<string, EngineFactory> = new Map([
  ['ping', createPingEngine],
  ['echo', createEchoEngine],
  ['publisher', createPublisherEngine],
  ['subscriber', createSubscriberEngine],
  ['sink', createSinkEngine],
  ['workload', createWorkloadEngine],
  ['pubsub', createPubSubEngine],
  ['storage', createStorageEngine],
  ['storage-client', createStorageClientEngine],
  ['relay', createRelayEngine],
  ['relay-route', createRelayRouteEngine],
  ['domain', createDomainEngine],
  ['topology', createTopologyEngine],
  ['ext-client', createExtClientEngine],
  ['client', createClientEngine],
]);

export { HISTORY_TEXT, DEFINITE_ERROR_CODES } from './client.js';
/**
 * What a scenario loader checks of each built-in kind without running it (params schema, engines it
 * needs, timer load). A kind missing here is checked only when its engine starts.
 */
export const BUILTIN_ENGINE_SPECS: ReadonlyMap<string, EngineSpec> = new Map([
  ['ping', PING_SPEC],
  ['echo', ECHO_SPEC],
  ['publisher', PUBLISHER_SPEC],
  ['subscriber', SUBSCRIBER_SPEC],
  ['sink', SINK_SPEC],
  ['workload', WORKLOAD_SPEC],
  ['pubsub', PUBSUB_SPEC],
  ['storage', STORAGE_SPEC],
  ['storage-client', STORAGE_CLIENT_SPEC],
  ['relay', RELAY_SPEC],
  ['relay-route', RELAY_ROUTE_SPEC],
  ['domain', DOMAIN_SPEC],
  ['topology', TOPOLOGY_SPEC],
  ['ext-client', EXT_CLIENT_SPEC],
]);

export type { EngineNeed, EngineRun, EngineSpec } from './params.js';
export { PING_PROTOCOL } from './ping.js';
export { ECHO_PROTOCOL } from './echo.js';
export { STORAGE_PROTOCOL, receiptBytes } from './storage.js';
export type { StorageMessage, StorageReceipt } from './storage.js';
