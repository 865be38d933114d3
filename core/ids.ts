import { err, ok, type Result } from './assert.js';
import { isHex } from './bytes.js';

/** A 32-byte public key as 64 lowercase hex characters: the identity of a node, engine, topic or domain. */
export type Id = string;
/** The kinds of identity and the prefix of their textual form (SPEC §9.1 Q4). */
export type IdKind = 'node' | 'eng' | 'topic' | 'dom';
export const ID_SIZE_BYTES = 32;
export const ID_KINDS: ReadonlyArray<IdKind> = ['node', 'eng', 'topic', 'dom'];

/** Textual form with a kind prefix, e.g. `node:3fa4…`. */
export function formatId(kind: IdKind, id: Id): string {
  return `${kind}:${id}`;
}

/** A short form for logs and traces: the first 12 hex digits. */
export function shortId(id: Id): string {
  return id.slice(0, 12);
}

/** Parses `kind:hex` (or bare hex when `kind` is given and the prefix is absent). */
export function parseId(text: string, kind: IdKind): Result<Id, string> {
  const colon = text.indexOf(':');
  const prefix = colon < 0 ? kind : text.slice(0, colon);
  const hex = colon < 0 ? text : text.slice(colon + 1);
  if (prefix !== kind) return err(`expected a ${kind} id like "${kind}:<64 hex digits>", got prefix "${prefix}"`);
  if (!isHex(hex, ID_SIZE_BYTES)) return err(`expected 64 lowercase hex digits after "${kind}:", got "${hex.slice(0, 70)}"`);
  return ok(hex);
}

/** True when `text` is a bare identity (64 lowercase hex digits). */
export function isId(text: string): text is Id {
  return isHex(text, ID_SIZE_BYTES);
}
