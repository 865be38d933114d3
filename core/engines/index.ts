import type { EngineFactory } from '../engine.js';
import { createClientEngine } from './client.js';
import { createEchoEngine } from './echo.js';
import { createPingEngine } from './ping.js';
import { createPubSubEngine } from './pubsub.js';
import { createPublisherEngine, createSubscriberEngine } from './pubsub-local.js';
import { createStorageClientEngine } from './storage-client.js';
import { createStorageEngine } from './storage.js';
import { createRelayEngine, createRelayRouteEngine } from './relay.js';
import { createAnycastClientEngine, createDomainMemberEngine } from './anycast.js';
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
  ['domain-member', createDomainMemberEngine],
  ['anycast-client', createAnycastClientEngine],
  ['client', createClientEngine],
]);

export { HISTORY_TEXT, DEFINITE_ERROR_CODES } from './client.js';
export { PING_PROTOCOL } from './ping.js';
export { ECHO_PROTOCOL } from './echo.js';
export { STORAGE_PROTOCOL, receiptBytes } from './storage.js';
export type { StorageMessage, StorageReceipt } from './storage.js';
export { signDomainAdvert } from './anycast.js';
