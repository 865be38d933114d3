// Domain membership and external requests (SPEC §4.6, §5.6): the owner-signed DomainPolicy and
// Invitation, the requester-signed JoinRequest, the approver-signed JoinResponse, and the messages
// Domain engines exchange (with each other and with local engines) as unicast EngineMessages.
// Canonical codec in the style of core/message.ts: each signed structure is signed over a domain tag
// ‖ its encoding without the signature, which is its last 64 bytes.
import { assertNever, type Result } from './assert.js';
import { concatBytes, utf8 } from './bytes.js';
import type { Id } from './ids.js';
import { BODY_SIZE_BYTES_MAX, PROTOCOL_SIZE_BYTES_MAX, SIGNATURE_SIZE_BYTES } from './message.js';
import type { Crypto } from './ports.js';
import { decodeWith, Writer, type CodecError, type Reader } from './wire.js';

/** Between Domain engines, and between a Domain engine and the local engines that use it. */
export const DOMAIN_PROTOCOL = 'netmachine.domain/1.0';
/** Node ids an allow-list may hold (a policy travels in every JoinResponse). */
export const ALLOW_LIST_MAX = 1024;
/** Hops a DomainRequest's path may hold. */
export const PATH_MAX = 16;

/** Who may join: anyone, the listed nodes, or nodes holding an invitation signed by the owner. */
export type MembershipPolicy = { readonly kind: 'open' } | { readonly kind: 'allow-list'; readonly allow: ReadonlyArray<Id> } | { readonly kind: 'invitation' };

/** The domain's membership policy, signed by the domain key (its owner). `version` is the epoch it holds from. */
export interface DomainPolicy {
  readonly domain: Id;
  readonly version: number;
  readonly created: number;
  readonly policy: MembershipPolicy;
  readonly sig: Uint8Array;
}

/** The owner's invitation of node `invitee`, valid until `expiry` (ms); signed by the domain key. */
export interface Invitation {
  readonly domain: Id;
  readonly invitee: Id;
  readonly expiry: number;
  readonly sig: Uint8Array;
}

/** JoinRequest: Domain engine `requestor` on node `node` asks to join; `auth` is an encoded Invitation. */
export interface JoinRequest {
  readonly requestor: Id;
  readonly node: Id;
  readonly domain: Id;
  readonly auth?: Uint8Array;
  readonly sig: Uint8Array;
}

/** Why a join was refused (stable codes), or `accepted`. */
export type JoinResult =
  | 'accepted'
  /** Not on the allow-list. */
  | 'domain/not-allowed'
  /** The policy asks for an invitation and none was given. */
  | 'domain/no-invitation'
  /** An invitation for another node or domain, expired, or not signed by the domain key. */
  | 'domain/bad-invitation'
  /** The contact is not (yet) a member and cannot approve. */
  | 'domain/not-member'
  /** The request's signature or node does not check out. */
  | 'domain/bad-request';

/** JoinResponse: Domain engine `approver` on node `node` answers `requestor`; signed by `approver`. */
export interface JoinResponse {
  readonly approver: Id;
  readonly node: Id;
  readonly requestor: Id;
  readonly domain: Id;
  readonly result: JoinResult;
  /** The domain epoch (policy version) from which the membership holds; accepted only. */
  readonly epoch?: number;
  readonly sig: Uint8Array;
}

/** Typed outcome of an external request. */
export type ExtResult =
  | 'ok'
  /** No verified DomainAdvert of the domain (no member known to ask). */
  | 'domain/unknown'
  /** The advert lists no member this node may use. */
  | 'domain/no-member'
  /** No answer from any member within the attempts. */
  | 'domain/timeout'
  /** The member does not serve external requests of this protocol. */
  | 'domain/no-service'
  | 'domain/bad-request';

/** What Domain engines exchange (with each other, and with local engines: `ext-request`, `ext-response`). */
export type DomainMessage =
  | { readonly kind: 'join-request'; readonly request: Uint8Array }
  /** The signed JoinResponse; accepted ones carry the policy and the advert (encoded, signed by the domain key). */
  | { readonly kind: 'join-response'; readonly response: Uint8Array; readonly policy?: Uint8Array; readonly advert?: Uint8Array }
  | { readonly kind: 'leave'; readonly domain: Id }
  | { readonly kind: 'advert-request'; readonly domain: Id }
  | { readonly kind: 'advert'; readonly advert: Uint8Array }
  | { readonly kind: 'invitation'; readonly invitation: Uint8Array }
  | { readonly kind: 'probe'; readonly domain: Id; readonly n: number }
  | { readonly kind: 'probe-reply'; readonly domain: Id; readonly n: number }
  /** DomainRequest (SPEC §4.7): from engine `src`, through `path`, to any member serving `protocol`. */
  | { readonly kind: 'request'; readonly req: number; readonly src: Id; readonly domain: Id; readonly path: ReadonlyArray<Id>; readonly protocol: string; readonly body: Uint8Array }
  /** DomainResponse: the member's answer along the reversed path. */
  | { readonly kind: 'response'; readonly req: number; readonly domain: Id; readonly dst: Id; readonly path: ReadonlyArray<Id>; readonly result: ExtResult; readonly protocol: string; readonly body: Uint8Array }
  /** ExtRequest from a local engine to its Domain engine. */
  | { readonly kind: 'ext-request'; readonly protocol: string; readonly body: Uint8Array; readonly timeoutMs: number }
  /** ExtResponse from the Domain engine to the requesting local engine (a reply to its ext-request). */
  | { readonly kind: 'ext-response'; readonly result: ExtResult; readonly member?: Id; readonly latencyMs: number; readonly body: Uint8Array };

const POLICY_TAG = 0xd1;
const INVITATION_TAG = 0xd2;
const JOIN_REQUEST_TAG = 0xd3;
const JOIN_RESPONSE_TAG = 0xd4;
const MESSAGE_TAG = 0xd5;
const POLICY_DOMAIN = utf8('netmachine/DomainPolicy/1\0');
const INVITATION_DOMAIN = utf8('netmachine/Invitation/1\0');
const JOIN_REQUEST_DOMAIN = utf8('netmachine/JoinRequest/1\0');
const JOIN_RESPONSE_DOMAIN = utf8('netmachine/JoinResponse/1\0');
const POLICY_CODES = { open: 0, 'allow-list': 1, invitation: 2 } as const;
const JOIN_RESULTS: ReadonlyArray<JoinResult> = ['accepted', 'domain/not-allowed', 'domain/no-invitation', 'domain/bad-invitation', 'domain/not-member', 'domain/bad-request'];
const EXT_RESULTS: ReadonlyArray<ExtResult> = ['ok', 'domain/unknown', 'domain/no-member', 'domain/timeout', 'domain/no-service', 'domain/bad-request'];
const MESSAGE_KINDS: ReadonlyArray<DomainMessage['kind']> = ['join-request', 'join-response', 'leave', 'advert-request', 'advert', 'invitation', 'probe', 'probe-reply', 'request', 'response', 'ext-request', 'ext-response'];
/** Bounds of nested credentials (a policy holds up to ALLOW_LIST_MAX ids). */
const CREDENTIAL_SIZE_BYTES_MAX = 64 + ALLOW_LIST_MAX * 32 + 64;

function readCode<T>(reader: Reader, table: ReadonlyArray<T>, what: string): T {
  const code = reader.u8();
  const value = table[code];
  return value === undefined ? reader.fail('codec/bad-tag', `unknown ${what} ${code}`) : value;
}

function readTag(reader: Reader, tag: number, what: string): void {
  const found = reader.u8();
  if (found !== tag) reader.fail('codec/bad-tag', `expected a ${what} (0x${tag.toString(16)}), got 0x${found.toString(16)}`);
}

function readIds(reader: Reader, countMax: number, what: string): Id[] {
  const count = reader.varint();
  if (count > countMax) reader.fail('codec/too-large', `${what} of ${count} entries exceeds ${countMax}`);
  const ids: Id[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.id());
  return ids;
}

function writeIds(writer: Writer, ids: ReadonlyArray<Id>): void {
  writer.varint(ids.length);
  for (const id of ids) writer.id(id);
}

function writeOptional(writer: Writer, bytes: Uint8Array | undefined): void {
  writer.u8(bytes === undefined ? 0 : 1);
  if (bytes !== undefined) writer.bytes(bytes);
}

function readOptional(reader: Reader, sizeBytesMax: number): Uint8Array | undefined {
  return reader.boolean() ? reader.bytesField(sizeBytesMax) : undefined;
}

// ——— signed structures ———

type Unsigned<T> = Omit<T, 'sig'>;

/** One signed structure: its tag, signing domain, and the encoding of its fields. */
interface SignedCodec<T extends { readonly sig: Uint8Array }> {
  readonly domain: Uint8Array;
  write(writer: Writer, value: Unsigned<T>): void;
  read(reader: Reader): Unsigned<T>;
  /** The identity whose signature it carries. */
  signer(value: Unsigned<T>): Id;
}

function encodeSigned<T extends { readonly sig: Uint8Array }>(codec: SignedCodec<T>, value: Unsigned<T>, sig: Uint8Array): Uint8Array {
  const writer = new Writer(256);
  codec.write(writer, value);
  return writer.raw(sig).finish();
}

function signWith<T extends { readonly sig: Uint8Array }>(codec: SignedCodec<T>, sign: (bytes: Uint8Array) => Uint8Array, value: Unsigned<T>): Uint8Array {
  const writer = new Writer(256);
  codec.write(writer, value);
  const unsigned = writer.finish();
  return concatBytes(unsigned, sign(concatBytes(codec.domain, unsigned)));
}

function decodeSigned<T extends { readonly sig: Uint8Array }>(codec: SignedCodec<T>, bytes: Uint8Array): Result<T, CodecError> {
  return decodeWith(bytes, (reader) => ({ ...codec.read(reader), sig: reader.raw(SIGNATURE_SIZE_BYTES) }) as unknown as T);
}

/** Decodes `bytes` and checks the signature by the structure's signer: undefined unless both hold. */
function openSigned<T extends { readonly sig: Uint8Array }>(codec: SignedCodec<T>, verify: Crypto['verify'], bytes: Uint8Array): T | undefined {
  const decoded = decodeSigned(codec, bytes);
  if (!decoded.ok) return undefined;
  const signed = concatBytes(codec.domain, bytes.subarray(0, bytes.length - SIGNATURE_SIZE_BYTES));
  return verify(codec.signer(decoded.value), signed, decoded.value.sig) ? decoded.value : undefined;
}

const POLICY: SignedCodec<DomainPolicy> = {
  domain: POLICY_DOMAIN,
  write(writer, value) {
    writer.u8(POLICY_TAG).id(value.domain).varint(value.version).varint(value.created).u8(POLICY_CODES[value.policy.kind]);
    if (value.policy.kind === 'allow-list') writeIds(writer, value.policy.allow);
  },
  read(reader) {
    readTag(reader, POLICY_TAG, 'DomainPolicy');
    const domain = reader.id();
    const version = reader.varint();
    const created = reader.varint();
    const kind = readCode(reader, ['open', 'allow-list', 'invitation'] as const, 'membership policy');
    const policy: MembershipPolicy = kind === 'allow-list' ? { kind, allow: readIds(reader, ALLOW_LIST_MAX, 'allow-list') } : { kind };
    return { domain, version, created, policy };
  },
  signer: (value) => value.domain,
};

const INVITATION: SignedCodec<Invitation> = {
  domain: INVITATION_DOMAIN,
  write: (writer, value) => void writer.u8(INVITATION_TAG).id(value.domain).id(value.invitee).varint(value.expiry),
  read(reader) {
    readTag(reader, INVITATION_TAG, 'Invitation');
    return { domain: reader.id(), invitee: reader.id(), expiry: reader.varint() };
  },
  signer: (value) => value.domain,
};

const JOIN_REQUEST: SignedCodec<JoinRequest> = {
  domain: JOIN_REQUEST_DOMAIN,
  write(writer, value) {
    writer.u8(JOIN_REQUEST_TAG).id(value.requestor).id(value.node).id(value.domain);
    writeOptional(writer, value.auth);
  },
  read(reader) {
    readTag(reader, JOIN_REQUEST_TAG, 'JoinRequest');
    const requestor = reader.id();
    const node = reader.id();
    const domain = reader.id();
    const auth = readOptional(reader, CREDENTIAL_SIZE_BYTES_MAX);
    return auth === undefined ? { requestor, node, domain } : { requestor, node, domain, auth };
  },
  signer: (value) => value.requestor,
};

const JOIN_RESPONSE: SignedCodec<JoinResponse> = {
  domain: JOIN_RESPONSE_DOMAIN,
  write(writer, value) {
    writer.u8(JOIN_RESPONSE_TAG).id(value.approver).id(value.node).id(value.requestor).id(value.domain).u8(JOIN_RESULTS.indexOf(value.result));
    if (value.result === 'accepted') writer.varint(value.epoch ?? 0);
  },
  read(reader) {
    readTag(reader, JOIN_RESPONSE_TAG, 'JoinResponse');
    const approver = reader.id();
    const node = reader.id();
    const requestor = reader.id();
    const domain = reader.id();
    const result = readCode(reader, JOIN_RESULTS, 'join result');
    return result === 'accepted' ? { approver, node, requestor, domain, result, epoch: reader.varint() } : { approver, node, requestor, domain, result };
  },
  signer: (value) => value.approver,
};

/** The owner signs the domain's policy with the domain key. */
export const signDomainPolicy = (sign: (bytes: Uint8Array) => Uint8Array, policy: Unsigned<DomainPolicy>): Uint8Array => signWith(POLICY, sign, policy);
/** The owner signs an invitation with the domain key. */
export const signInvitation = (sign: (bytes: Uint8Array) => Uint8Array, invitation: Unsigned<Invitation>): Uint8Array => signWith(INVITATION, sign, invitation);
/** A Domain engine signs its JoinRequest with its own key. */
export const signJoinRequest = (sign: (bytes: Uint8Array) => Uint8Array, request: Unsigned<JoinRequest>): Uint8Array => signWith(JOIN_REQUEST, sign, request);
/** The approving Domain engine signs its JoinResponse with its own key. */
export const signJoinResponse = (sign: (bytes: Uint8Array) => Uint8Array, response: Unsigned<JoinResponse>): Uint8Array => signWith(JOIN_RESPONSE, sign, response);

/** A verified policy (signed by its domain's key), or undefined. */
export const openDomainPolicy = (verify: Crypto['verify'], bytes: Uint8Array): DomainPolicy | undefined => openSigned(POLICY, verify, bytes);
/** A verified invitation (signed by its domain's key), or undefined. */
export const openInvitation = (verify: Crypto['verify'], bytes: Uint8Array): Invitation | undefined => openSigned(INVITATION, verify, bytes);
/** A verified JoinRequest (signed by its requestor), or undefined. */
export const openJoinRequest = (verify: Crypto['verify'], bytes: Uint8Array): JoinRequest | undefined => openSigned(JOIN_REQUEST, verify, bytes);
/** A verified JoinResponse (signed by its approver), or undefined. */
export const openJoinResponse = (verify: Crypto['verify'], bytes: Uint8Array): JoinResponse | undefined => openSigned(JOIN_RESPONSE, verify, bytes);

/** Canonical bytes of a signed structure whose fields and signature are given (tests, re-encoding). */
export const encodeDomainPolicy = (policy: DomainPolicy): Uint8Array => encodeSigned(POLICY, policy, policy.sig);
export const encodeInvitation = (invitation: Invitation): Uint8Array => encodeSigned(INVITATION, invitation, invitation.sig);
export const encodeJoinRequest = (request: JoinRequest): Uint8Array => encodeSigned(JOIN_REQUEST, request, request.sig);
export const encodeJoinResponse = (response: JoinResponse): Uint8Array => encodeSigned(JOIN_RESPONSE, response, response.sig);
export const decodeDomainPolicy = (bytes: Uint8Array): Result<DomainPolicy, CodecError> => decodeSigned(POLICY, bytes);
export const decodeInvitation = (bytes: Uint8Array): Result<Invitation, CodecError> => decodeSigned(INVITATION, bytes);
export const decodeJoinRequest = (bytes: Uint8Array): Result<JoinRequest, CodecError> => decodeSigned(JOIN_REQUEST, bytes);
export const decodeJoinResponse = (bytes: Uint8Array): Result<JoinResponse, CodecError> => decodeSigned(JOIN_RESPONSE, bytes);

/**
 * Whether `policy` admits node `node`, given the encoded invitation it presents (if any) at `nowMs`:
 * `accepted` or the typed reason. Every member can decide this itself: no chain of approvals.
 */
export function admits(verify: Crypto['verify'], policy: DomainPolicy, node: Id, auth: Uint8Array | undefined, nowMs: number): JoinResult {
  switch (policy.policy.kind) {
    case 'open':
      return 'accepted';
    case 'allow-list':
      return policy.policy.allow.includes(node) ? 'accepted' : 'domain/not-allowed';
    case 'invitation': {
      if (auth === undefined) return 'domain/no-invitation';
      const invitation = openInvitation(verify, auth);
      const isValid = invitation !== undefined && invitation.domain === policy.domain && invitation.invitee === node && invitation.expiry > nowMs;
      return isValid ? 'accepted' : 'domain/bad-invitation';
    }
    default:
      return assertNever(policy.policy, 'membership policy');
  }
}

// ——— messages ———

function writeMessage(writer: Writer, message: DomainMessage): void {
  writer.u8(MESSAGE_TAG).u8(MESSAGE_KINDS.indexOf(message.kind));
  switch (message.kind) {
    case 'join-request':
      writer.bytes(message.request);
      return;
    case 'join-response':
      writer.bytes(message.response);
      writeOptional(writer, message.policy);
      writeOptional(writer, message.advert);
      return;
    case 'leave':
    case 'advert-request':
      writer.id(message.domain);
      return;
    case 'advert':
      writer.bytes(message.advert);
      return;
    case 'invitation':
      writer.bytes(message.invitation);
      return;
    case 'probe':
    case 'probe-reply':
      writer.id(message.domain).varint(message.n);
      return;
    case 'request':
      writer.varint(message.req).id(message.src).id(message.domain);
      writeIds(writer, message.path);
      writer.string(message.protocol).bytes(message.body);
      return;
    case 'response':
      writer.varint(message.req).id(message.domain).id(message.dst);
      writeIds(writer, message.path);
      writer.u8(EXT_RESULTS.indexOf(message.result)).string(message.protocol).bytes(message.body);
      return;
    case 'ext-request':
      writer.string(message.protocol).bytes(message.body).varint(message.timeoutMs);
      return;
    case 'ext-response':
      writer.u8(EXT_RESULTS.indexOf(message.result)).u8(message.member === undefined ? 0 : 1);
      if (message.member !== undefined) writer.id(message.member);
      writer.varint(Math.max(0, Math.round(message.latencyMs * 1000))).bytes(message.body);
      return;
    default:
      assertNever(message, 'domain message');
  }
}

function readMessage(reader: Reader): DomainMessage {
  readTag(reader, MESSAGE_TAG, 'domain message');
  const kind = readCode(reader, MESSAGE_KINDS, 'domain message kind');
  switch (kind) {
    case 'join-request':
      return { kind, request: reader.bytesField(CREDENTIAL_SIZE_BYTES_MAX) };
    case 'join-response': {
      const response = reader.bytesField(CREDENTIAL_SIZE_BYTES_MAX);
      const policy = readOptional(reader, CREDENTIAL_SIZE_BYTES_MAX);
      const advert = readOptional(reader, CREDENTIAL_SIZE_BYTES_MAX);
      return { kind, response, ...(policy !== undefined && { policy }), ...(advert !== undefined && { advert }) };
    }
    case 'leave':
    case 'advert-request':
      return { kind, domain: reader.id() };
    case 'advert':
      return { kind, advert: reader.bytesField(CREDENTIAL_SIZE_BYTES_MAX) };
    case 'invitation':
      return { kind, invitation: reader.bytesField(CREDENTIAL_SIZE_BYTES_MAX) };
    case 'probe':
    case 'probe-reply':
      return { kind, domain: reader.id(), n: reader.varint() };
    case 'request':
      return { kind, req: reader.varint(), src: reader.id(), domain: reader.id(), path: readIds(reader, PATH_MAX, 'path'), protocol: reader.string(PROTOCOL_SIZE_BYTES_MAX), body: reader.bytesField(BODY_SIZE_BYTES_MAX) };
    case 'response':
      return { kind, req: reader.varint(), domain: reader.id(), dst: reader.id(), path: readIds(reader, PATH_MAX, 'path'), result: readCode(reader, EXT_RESULTS, 'external result'), protocol: reader.string(PROTOCOL_SIZE_BYTES_MAX), body: reader.bytesField(BODY_SIZE_BYTES_MAX) };
    case 'ext-request':
      return { kind, protocol: reader.string(PROTOCOL_SIZE_BYTES_MAX), body: reader.bytesField(BODY_SIZE_BYTES_MAX), timeoutMs: reader.varint() };
    case 'ext-response': {
      const result = readCode(reader, EXT_RESULTS, 'external result');
      const member = reader.boolean() ? reader.id() : undefined;
      const latencyMs = reader.varint() / 1000;
      const body = reader.bytesField(BODY_SIZE_BYTES_MAX);
      return member === undefined ? { kind, result, latencyMs, body } : { kind, result, member, latencyMs, body };
    }
  }
}

/** Canonical bytes of a domain message. */
export function encodeDomainMessage(message: DomainMessage): Uint8Array {
  const writer = new Writer(128);
  writeMessage(writer, message);
  return writer.finish();
}

/** Decodes untrusted bytes into a domain message (nested credentials not yet verified). */
export function decodeDomainMessage(bytes: Uint8Array): Result<DomainMessage, CodecError> {
  return decodeWith(bytes, readMessage);
}
