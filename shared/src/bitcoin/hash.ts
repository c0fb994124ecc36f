/** The hash functions Bitcoin uses: SHA-256, double SHA-256 (txids, sighashes) and HASH160. */
import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-256 of SHA-256: transaction ids, BIP 143 intermediate hashes, base58check checksums. */
export function hash256(data: Uint8Array): Uint8Array {
  return nobleSha256(nobleSha256(data));
}

/** RIPEMD-160 alone: BOLT 3 HTLC scripts commit to RIPEMD160(payment_hash). */
export function ripemd160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(data);
}

/** RIPEMD-160 of SHA-256: P2PKH / P2WPKH key hashes. */
export function hash160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(nobleSha256(data));
}
