/**
 * ECDSA over secp256k1 as Bitcoin uses it (SEC 1 §4.1): the message is an already computed 32-byte
 * sighash, signed as is; nonces are deterministic (RFC 6979, no extra entropy), so the same key and
 * hash always give the same signature, which is what lets BOLT 3's test vectors pin signatures
 * byte for byte; and s is always in the low half (BIP 62 rule 5, BIP 146 LOW_S), since the high-S
 * twin of a signature is non-standard and would make transactions malleable.
 *
 * Signatures here are 64 bytes, r || s; der.ts converts to and from DER.
 */
import { sign, verify } from '@noble/secp256k1';

import { concatBytes, expectLength } from '../bytes.js';
// Besides its helpers, importing secp256k1.ts configures the hashes noble's sign/verify need.
import { Scalar, validatePrivkey, validatePubkey } from './secp256k1.js';

/** A signature as Vigil holds it: r || s, 32 bytes each, big-endian. */
export const SIGNATURE_LENGTH = 64;
const HASH_LENGTH = 32;

/** Signs a 32-byte hash: RFC 6979 nonce, low-S, 64-byte r || s. */
export function signEcdsa(hash: Uint8Array, privkey: Uint8Array): Uint8Array {
  expectLength(hash, HASH_LENGTH, 'hash');
  validatePrivkey(privkey, 'privkey');
  return sign(hash, privkey, { prehash: false, lowS: true, extraEntropy: false });
}

/**
 * True when `sig` is a valid low-S signature of `hash` by `pubkey`. A high-S signature, or an r or
 * s of zero or at least n, is simply invalid (false); malformed inputs throw.
 */
export function verifyEcdsa(sig: Uint8Array, hash: Uint8Array, pubkey: Uint8Array): boolean {
  expectLength(sig, SIGNATURE_LENGTH, 'sig');
  expectLength(hash, HASH_LENGTH, 'hash');
  validatePubkey(pubkey, 'pubkey');
  return verify(sig, hash, pubkey, { prehash: false, lowS: true });
}

/** True when s is at most n/2. Throws if s is not below n. */
export function isLowS(sig: Uint8Array): boolean {
  return !sOf(sig).isHigh();
}

/** The low-S form of `sig`: s replaced by n - s when above n/2, otherwise a copy. */
export function normalizeS(sig: Uint8Array): Uint8Array {
  const s = sOf(sig);
  if (!s.isHigh()) return Uint8Array.from(sig);
  return concatBytes(sig.subarray(0, SIGNATURE_LENGTH / 2), s.negate().toBytes());
}

function sOf(sig: Uint8Array): Scalar {
  expectLength(sig, SIGNATURE_LENGTH, 'sig');
  return Scalar.fromBytes(sig.subarray(SIGNATURE_LENGTH / 2), 'sig.s');
}
