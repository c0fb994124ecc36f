/**
 * Obscured commitment numbers (BOLT 3 "Commitment Transaction": locktime and sequence). The 48-bit
 * commitment number is XORed with a factor both peers know, then split across the input's
 * sequence (upper 24 bits, under 0x80) and the locktime (lower 24 bits, under 0x20), which also
 * keeps the locktime in the past and relative locktime disabled.
 *
 * A monitor reverses this to tell which commitment the counterparty broadcast.
 */
import { concatBytes, expectLength } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { sha256 } from '../bitcoin/hash.js';

/** Commitment numbers and obscuring factors are 48-bit. */
export const MAX_COMMITMENT_NUMBER = 2 ** 48 - 1;

const LOCKTIME_TAG = 0x20;
const SEQUENCE_TAG = 0x80;
const LOW_24 = 0xff_ffff;

function expectU48(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_COMMITMENT_NUMBER) {
    throw new ValidationError(field, `expected a 48-bit integer, got ${value}`);
  }
  return value;
}

/** The lower 48 bits of SHA256(opener payment_basepoint || accepter payment_basepoint). */
export function commitmentObscuringFactor(
  openerPaymentBasepoint: Uint8Array,
  accepterPaymentBasepoint: Uint8Array,
): number {
  expectLength(openerPaymentBasepoint, 33, 'openerPaymentBasepoint');
  expectLength(accepterPaymentBasepoint, 33, 'accepterPaymentBasepoint');
  const digest = sha256(concatBytes(openerPaymentBasepoint, accepterPaymentBasepoint));
  return digest.subarray(26).reduce((acc, byte) => acc * 256 + byte, 0);
}

/** XOR of two 48-bit numbers (JS bitwise operators are 32-bit, so the halves go separately). */
function xor48(a: number, b: number): number {
  const hi = Math.floor(a / 2 ** 24) ^ Math.floor(b / 2 ** 24);
  const lo = (a % 2 ** 24) ^ (b % 2 ** 24);
  return hi * 2 ** 24 + lo;
}

export interface CommitmentLocktime {
  readonly locktime: number;
  readonly sequence: number;
}

/** The commitment transaction's locktime and input sequence for `commitmentNumber`. */
export function encodeCommitmentNumber(
  commitmentNumber: number,
  obscuringFactor: number,
): CommitmentLocktime {
  const obscured = xor48(
    expectU48(commitmentNumber, 'commitmentNumber'),
    expectU48(obscuringFactor, 'obscuringFactor'),
  );
  const upper = Math.floor(obscured / 2 ** 24);
  const lower = obscured % 2 ** 24;
  return { sequence: SEQUENCE_TAG * 2 ** 24 + upper, locktime: LOCKTIME_TAG * 2 ** 24 + lower };
}

/**
 * The commitment number a transaction's locktime and sequence encode, or undefined when their tag
 * bytes show it cannot be a commitment transaction (e.g. a cooperative close).
 */
export function decodeCommitmentNumber(
  locktime: number,
  sequence: number,
  obscuringFactor: number,
): number | undefined {
  if (Math.floor(locktime / 2 ** 24) !== LOCKTIME_TAG || Math.floor(sequence / 2 ** 24) !== SEQUENCE_TAG)
    return undefined;
  const obscured = (sequence & LOW_24) * 2 ** 24 + (locktime & LOW_24);
  return xor48(obscured, expectU48(obscuringFactor, 'obscuringFactor'));
}
