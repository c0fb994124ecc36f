/**
 * BOLT 3 "Key Derivation": the per-commitment keys of a channel, derived from each side's basepoints
 * and the per-commitment point, so that every commitment transaction uses fresh keys while the
 * peers only ever exchange basepoints once.
 *
 * Hashes here are SHA256 of the concatenated 33-byte compressed points, read as big-endian
 * scalars. A hash of n or more (probability about 2^-128) is rejected, as libsecp256k1's tweak
 * functions reject it, rather than reduced.
 */
import { concatBytes } from '../bytes.js';
import { sha256 } from '../bitcoin/hash.js';
import { CurvePoint, pubkeyFromPrivkey, Scalar, validatePubkey } from '../bitcoin/secp256k1.js';

/** per_commitment_point = per_commitment_secret * G. */
export function perCommitmentPointFromSecret(perCommitmentSecret: Uint8Array): Uint8Array {
  return pubkeyFromPrivkey(perCommitmentSecret, 'per_commitment_secret');
}

/**
 * BOLT 3 "localpubkey, local_htlcpubkey, remote_htlcpubkey, local_delayedpubkey, and
 * remote_delayedpubkey Derivation":
 * pubkey = basepoint + SHA256(per_commitment_point || basepoint) * G
 */
export function derivePubkey(basepoint: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const base = CurvePoint.fromPubkey(basepoint, 'basepoint');
  validatePubkey(perCommitmentPoint, 'per_commitment_point');
  const tweak = hashScalar(perCommitmentPoint, basepoint, 'SHA256(per_commitment_point || basepoint)');
  return base.add(CurvePoint.G.mul(tweak)).toPubkey('derived pubkey');
}

/**
 * The private key of `derivePubkey` (same section):
 * privkey = basepoint_secret + SHA256(per_commitment_point || basepoint) mod n
 */
export function derivePrivkey(basepointSecret: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const secret = Scalar.fromPrivkey(basepointSecret, 'basepoint_secret');
  const basepoint = pubkeyFromPrivkey(basepointSecret, 'basepoint_secret');
  validatePubkey(perCommitmentPoint, 'per_commitment_point');
  const tweak = hashScalar(perCommitmentPoint, basepoint, 'SHA256(per_commitment_point || basepoint)');
  return secret.add(tweak).toPrivkey('derived privkey');
}

/**
 * BOLT 3 "revocationpubkey Derivation": both sides contribute, so neither can compute the
 * private key alone until the per-commitment secret is revealed.
 * revocationpubkey = revocation_basepoint * SHA256(revocation_basepoint || per_commitment_point)
 *                  + per_commitment_point * SHA256(per_commitment_point || revocation_basepoint)
 */
export function deriveRevocationPubkey(
  revocationBasepoint: Uint8Array,
  perCommitmentPoint: Uint8Array,
): Uint8Array {
  const base = CurvePoint.fromPubkey(revocationBasepoint, 'revocation_basepoint');
  const point = CurvePoint.fromPubkey(perCommitmentPoint, 'per_commitment_point');
  const tweaks = revocationTweaks(revocationBasepoint, perCommitmentPoint);
  return base.mul(tweaks.basepoint).add(point.mul(tweaks.perCommitmentPoint)).toPubkey('revocationpubkey');
}

/**
 * The private key of `deriveRevocationPubkey` (same section), computable once the peer reveals
 * per_commitment_secret:
 * revocationprivkey = revocation_basepoint_secret * SHA256(revocation_basepoint || per_commitment_point)
 *                   + per_commitment_secret * SHA256(per_commitment_point || revocation_basepoint) mod n
 */
export function deriveRevocationPrivkey(
  revocationBasepointSecret: Uint8Array,
  perCommitmentSecret: Uint8Array,
): Uint8Array {
  const baseSecret = Scalar.fromPrivkey(revocationBasepointSecret, 'revocation_basepoint_secret');
  const commitmentSecret = Scalar.fromPrivkey(perCommitmentSecret, 'per_commitment_secret');
  const tweaks = revocationTweaks(
    pubkeyFromPrivkey(revocationBasepointSecret, 'revocation_basepoint_secret'),
    perCommitmentPointFromSecret(perCommitmentSecret),
  );
  return baseSecret
    .mul(tweaks.basepoint)
    .add(commitmentSecret.mul(tweaks.perCommitmentPoint))
    .toPrivkey('revocationprivkey');
}

/** The two revocation multipliers, named by the key each one multiplies. */
function revocationTweaks(
  revocationBasepoint: Uint8Array,
  perCommitmentPoint: Uint8Array,
): { basepoint: Scalar; perCommitmentPoint: Scalar } {
  return {
    basepoint: hashScalar(
      revocationBasepoint,
      perCommitmentPoint,
      'SHA256(revocation_basepoint || per_commitment_point)',
    ),
    perCommitmentPoint: hashScalar(
      perCommitmentPoint,
      revocationBasepoint,
      'SHA256(per_commitment_point || revocation_basepoint)',
    ),
  };
}

/** SHA256(first || second) as a scalar; `field` names the hash if it is not below n. */
function hashScalar(first: Uint8Array, second: Uint8Array, field: string): Scalar {
  return Scalar.fromBytes(sha256(concatBytes(first, second)), field);
}
