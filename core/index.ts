// The public surface of the engine core (STYLE rule 3).
export { assert, assertNever, AssertionError, NetmachineError, ok, err } from './assert.js';
export type { Result } from './assert.js';
export { toHex, fromHex, isHex, bytesEqual, concatBytes, utf8, fromUtf8, pooledBytes } from './bytes.js';
export { formatId, parseId, shortId, isId, ID_KINDS, ID_SIZE_BYTES } from './ids.js';
export type { Id, IdKind } from './ids.js';
export type { Clock, Rng, Transport, TransportEvent, FrameMeta, TraceSink, Crypto, KeyPair, TimerId, VerifyWithPrefix } from './ports.js';
export { deriveSecret, ed25519KeyPair, nobleSign, nobleVerify, SECRET_SIZE_BYTES } from './keys.js';
export { createNodeCrypto, createNobleCrypto, createKeyedSimCrypto, withVerifyCache } from './crypto.js';
export { sipHash128, sipKey, SIP_KEY_SIZE_BYTES, SIP_TAG_SIZE_BYTES } from './siphash.js';
export type { SipKey } from './siphash.js';
export {
  encodeEngineMessage,
  decodeEngineMessage,
  signEngineMessage,
  verifyEngineMessage,
  engineMessageSigningBytes,
  encodeP2PMessage,
  decodeP2PMessage,
  signP2PMessage,
  verifyP2PMessage,
  p2pMessageHead,
  SIGNATURE_SIZE_BYTES,
  BODY_SIZE_BYTES_MAX,
} from './message.js';
export type { Destination, EngineMessage, P2PMessage, RoutingScope, TransportPrefs, UnsignedEngineMessage, UnsignedP2PMessage } from './message.js';
export type { CodecError, CodecErrorCode } from './wire.js';
export type { Engine, EngineContext, EngineInput, EngineEnv, EngineFactory, EngineAddress, SendOptions, Notice, LogData, RelayPolicy, EngineConnections, ConnectResult, DisconnectResult, ConnectedNode, ConnectOptions, EngineDomains, Membership, ViewPeer, ViewChange } from './engine.js';
export {
  admits,
  decodeDomainMessage,
  encodeDomainMessage,
  signDomainPolicy,
  signInvitation,
  signJoinRequest,
  signJoinResponse,
  openDomainPolicy,
  openInvitation,
  openJoinRequest,
  openJoinResponse,
  encodeDomainPolicy,
  decodeDomainPolicy,
  encodeInvitation,
  decodeInvitation,
  encodeJoinRequest,
  decodeJoinRequest,
  encodeJoinResponse,
  decodeJoinResponse,
  DOMAIN_PROTOCOL,
  ALLOW_LIST_MAX,
} from './domain-wire.js';
export type { DomainMessage, DomainPolicy, Invitation, JoinRequest, JoinResponse, JoinResult, ExtResult, MembershipPolicy } from './domain-wire.js';
export { encodeTopologyMessage, decodeTopologyMessage, TOPOLOGY_PROTOCOL, SHUFFLE_ENTRIES_MAX, ANNOUNCED_ENGINES_MAX } from './topology-wire.js';
export type { TopologyMessage, PeerDescriptor } from './topology-wire.js';
export { KNOWN_MEMBERS_MAX } from './node-domains.js';
export { IdentityStore, configuredRecordOf, TRUST_DEFAULT, ADVERT_SKEW_MS_MAX } from './directory.js';
export type { NodeRecord, NodeRecordPatch, Measurements, IdentityUpdate, AdvertOutcome, ConfiguredNodeTable, EngineLocations } from './directory.js';
export { encodeAdvert, decodeAdvert, signAdvert, verifyAdvert, ADVERT_LIST_MAX } from './adverts.js';
export type { Advert, UnsignedAdvert, NodeAdvert, EngineAdvert, TopicAdvert, DomainAdvert, WeightedAddress } from './adverts.js';
export { encodePubSubMessage, decodePubSubMessage, signEvent, verifyEvent, decodeEvent, eventId, PUBSUB_PROTOCOL } from './pubsub-wire.js';
export type { PubSubEvent, PubSubMessage } from './pubsub-wire.js';
export type { TopicOp, TopicResult, TopicOptions } from './engine.js';
export { routeOutgoing, routeIncoming, chooseDomainMember, suspectedUntilMs, ANYCAST_SUSPICION_MS, ANYCAST_SUSPICION_MS_MAX, resolveTransportPrefs, TRANSPORT_PREFS_DEFAULT, TopicTable, ReplayWindow } from './router.js';
export type { RouteDecision, RoutingTable } from './router.js';
export { LocalClock } from './local-clock.js';
export { DurableStore, DISK_KEYS_MAX, DISK_VALUE_BYTES_MAX } from './disk.js';
export type { Disk } from './disk.js';
export { createNode, jsonBody, firstMessageId, DEFAULT_PROTOCOL, PARKED_PER_DESTINATION_MAX, LOOKUP_TIMEOUT_MS } from './node.js';
export type { Node, NodeComponents, NodeOptions, KeySource, ReceivingTransport, TransportReceiver } from './node.js';
export { BUILTIN_ENGINES, BUILTIN_ENGINE_SPECS, HISTORY_TEXT, DEFINITE_ERROR_CODES, PING_PROTOCOL, ECHO_PROTOCOL, STORAGE_PROTOCOL, receiptBytes } from './engines/index.js';
export type { StorageMessage, StorageReceipt, EngineNeed, EngineRun, EngineSpec } from './engines/index.js';
export { LINK_DEFAULTS, CONNECTION_DEFAULTS } from './plan.js';
export type { NetworkPlan, PlanNode, PlanLink, PlanEngine, PlanEvent, PlanRegions, PlanPeerTable, LinkSpec, JitterSpec, AccessSpec, ConnectionSettings } from './plan.js';
export { TRACE_FORMAT, TRACE_VERSION, TRACE_KINDS, traceLine, traceHeaderLine, messageTraceId } from './trace.js';
export type { TraceHeader, TraceRecord, TraceEvent, TraceKind, TraceBackend } from './trace.js';
export { summarizeTrace, TraceSummarizer, percentiles } from './summary.js';
export type { TraceSummary, Percentiles } from './summary.js';
export { createRng, nodeRng, fmix32, hash32, labelledUniform } from './rng.js';
export { importModuleFile, ModuleLoadError } from './module-import.js';
export { derivePlanIdentities } from './identities.js';
export type { PlanIdentities } from './identities.js';
