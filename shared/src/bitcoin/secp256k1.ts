/**
 * The secp256k1 curve (SEC 2 §2.4.1) as Bitcoin and Lightning use it: 32-byte private keys in
 * [1, n-1], 33-byte compressed SEC 1 public keys (§2.3.3), and the scalar and point arithmetic that
 * BOLT 3 key derivation is written in.
 *
 * This is the only module that configures @noble/secp256k1: its synchronous API needs SHA-256 and
 * HMAC-SHA256 supplied, and they are set once, here, on import. Other modules that call noble
 * directly (ecdsa.ts) import this one, which guarantees the configuration ran first.
 *
 * Values cross this module's boundary as bytes or as the opaque `Scalar` / `CurvePoint` types;
 * bigints stay inside. Both types keep their value in a private field, so logging or serialising
 * one by accident prints `Scalar {}` rather than a private key.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as secp from '@noble/secp256k1';

import { expectLength, toHex } from '../bytes.js';
import { ValidationError } from '../errors.js';

secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

export const PUBKEY_LENGTH = 33;
export const SCALAR_LENGTH = 32;

const N = secp.Point.CURVE().n;
const HALF_N = N >> 1n;

/** Reads a Scalar's value; set in Scalar's static block so CurvePoint can multiply without a public getter. */
let scalarValue: (scalar: Scalar) => bigint;

/** An integer modulo the curve order n: a private key, a tweak, or an ECDSA signature's s. */
export class Scalar {
  readonly #value: bigint;

  static {
    scalarValue = (scalar) => scalar.#value;
  }

  private constructor(value: bigint) {
    this.#value = value;
  }

  /**
   * A 32-byte big-endian integer below n. Zero is allowed because sums can be zero; values of n or
   * more are rejected rather than reduced, as libsecp256k1 does for tweaks.
   */
  static fromBytes(bytes: Uint8Array, field: string): Scalar {
    expectLength(bytes, SCALAR_LENGTH, field);
    const value = secp.etc.bytesToNumberBE(bytes);
    if (value >= N) throw new ValidationError(field, 'must be below the curve order n');
    return new Scalar(value);
  }

  /** A private key: 32 bytes encoding an integer in [1, n-1]. */
  static fromPrivkey(bytes: Uint8Array, field: string): Scalar {
    const scalar = Scalar.fromBytes(bytes, field);
    if (scalar.isZero()) throw new ValidationError(field, 'must not be zero');
    return scalar;
  }

  add(other: Scalar): Scalar {
    return new Scalar((this.#value + other.#value) % N);
  }

  mul(other: Scalar): Scalar {
    return new Scalar((this.#value * other.#value) % N);
  }

  negate(): Scalar {
    return new Scalar((N - this.#value) % N);
  }

  isZero(): boolean {
    return this.#value === 0n;
  }

  /** True above n/2: the half BIP 62 and BIP 146 forbid for an ECDSA signature's s. */
  isHigh(): boolean {
    return this.#value > HALF_N;
  }

  /** 32 bytes, big-endian. */
  toBytes(): Uint8Array {
    return secp.etc.numberToBytesBE(this.#value);
  }

  /** The value as a private key; `field` names the result in the error if it is zero. */
  toPrivkey(field: string): Uint8Array {
    if (this.isZero()) throw new ValidationError(field, 'is zero, not a valid private key');
    return this.toBytes();
  }
}

/** A point on secp256k1, possibly the point at infinity as an intermediate result. */
export class CurvePoint {
  static readonly G = new CurvePoint(secp.Point.BASE);

  readonly #point: secp.Point;

  private constructor(point: secp.Point) {
    this.#point = point;
  }

  /** Parses a 33-byte compressed public key, which must be on the curve. */
  static fromPubkey(bytes: Uint8Array, field: string): CurvePoint {
    expectLength(bytes, PUBKEY_LENGTH, field);
    const prefix = bytes[0]!;
    if (prefix !== 0x02 && prefix !== 0x03) {
      throw new ValidationError(
        field,
        `expected a compressed public key (prefix 02 or 03), got prefix ${toHex(bytes.subarray(0, 1))}`,
      );
    }
    try {
      return new CurvePoint(secp.Point.fromBytes(bytes));
    } catch {
      throw new ValidationError(field, 'is not a point on secp256k1');
    }
  }

  add(other: CurvePoint): CurvePoint {
    return new CurvePoint(this.#point.add(other.#point));
  }

  mul(scalar: Scalar): CurvePoint {
    // noble's multiply rejects 0; 0 * P is the point at infinity.
    if (scalar.isZero()) return new CurvePoint(secp.Point.ZERO);
    return new CurvePoint(this.#point.multiply(scalarValue(scalar)));
  }

  /** The point as a 33-byte compressed public key; `field` names it in the error if it is infinity. */
  toPubkey(field: string): Uint8Array {
    if (this.#point.is0())
      throw new ValidationError(field, 'is the point at infinity, not a valid public key');
    return this.#point.toBytes(true);
  }
}

/** Throws unless `privkey` is 32 bytes encoding an integer in [1, n-1]; returns it for chaining. */
export function validatePrivkey(privkey: Uint8Array, field = 'privkey'): Uint8Array {
  Scalar.fromPrivkey(privkey, field);
  return privkey;
}

/** Throws unless `pubkey` is a 33-byte compressed point on the curve; returns it for chaining. */
export function validatePubkey(pubkey: Uint8Array, field = 'pubkey'): Uint8Array {
  CurvePoint.fromPubkey(pubkey, field);
  return pubkey;
}

/** privkey * G as a 33-byte compressed public key. */
export function pubkeyFromPrivkey(privkey: Uint8Array, field = 'privkey'): Uint8Array {
  return CurvePoint.G.mul(Scalar.fromPrivkey(privkey, field)).toPubkey(field);
}
