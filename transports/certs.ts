// Certificates bound to node keys: a self-signed Ed25519 X.509 certificate made from the node's
// 32-byte secret, in process (a small DER builder signed with crypto.sign; no openssl at run time),
// and extraction of the peer's raw Ed25519 key from a DER certificate (the node identity).
import { createPrivateKey, createPublicKey, sign, X509Certificate } from 'node:crypto';
import { toHex } from '../core/index.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_ALGORITHM = Buffer.from('300506032b6570', 'hex');
const OID_COMMON_NAME = Buffer.from('0603550403', 'hex');
// Fixed validity so the same secret always gives byte-identical certificates (identity is the key,
// not the dates: peers check the key, never the validity period).
const NOT_BEFORE = '20240101000000Z';
const NOT_AFTER = '20991231235959Z';

/** A node's TLS identity: PEM key and certificate for node:tls / @matrixai/quic, and the DER. */
export interface NodeCertificate {
  readonly id: string;
  readonly keyPem: string;
  readonly certPem: string;
  readonly certDer: Uint8Array;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function name(commonName: string): Buffer {
  const attribute = der(0x30, OID_COMMON_NAME, der(0x0c, Buffer.from(commonName, 'utf8')));
  return der(0x30, der(0x31, attribute));
}

/** Builds the self-signed certificate of the node whose Ed25519 secret seed is `secret` (32 bytes). */
export function createNodeCertificate(secret: Uint8Array): NodeCertificate {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const id = toHex(spki.subarray(SPKI_ED25519_PREFIX.length));
  const subject = name(`node:${id.slice(0, 32)}`);
  // Serial: 16 bytes of the key, positive (top bit cleared), so it is stable per key. A DER
  // INTEGER must be minimal: a leading 0x00 before a byte below 0x80 (keys starting 0x00 or 0x80:
  // 1 in 256) is rejected by BoringSSL, so such a node could not use QUIC; it becomes 0x01.
  const serial = Buffer.from(id.slice(0, 32), 'hex');
  serial[0] = serial[0]! & 0x7f || 1;
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serial),
    ED25519_ALGORITHM,
    subject,
    der(0x30, der(0x18, Buffer.from(NOT_BEFORE)), der(0x18, Buffer.from(NOT_AFTER))),
    subject,
    spki,
  );
  const signature = sign(null, tbs, privateKey);
  const certificate = der(0x30, tbs, ED25519_ALGORITHM, der(0x03, Buffer.from([0]), signature));
  return {
    id,
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    certPem: `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`,
    certDer: new Uint8Array(certificate),
  };
}

/**
 * The node identity (hex Ed25519 public key) a DER certificate binds, or undefined when it is not
 * a well-formed Ed25519 certificate self-signed by that key. Never throws on untrusted bytes.
 */
export function certificateNodeId(certificate: Uint8Array | X509Certificate): string | undefined {
  try {
    const x509 = certificate instanceof X509Certificate ? certificate : new X509Certificate(Buffer.from(certificate));
    const publicKey = x509.publicKey;
    if (publicKey.asymmetricKeyType !== 'ed25519') return undefined;
    if (!x509.verify(publicKey)) return undefined; // self-signed by the key it carries
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    return toHex(spki.subarray(SPKI_ED25519_PREFIX.length));
  } catch {
    return undefined;
  }
}
