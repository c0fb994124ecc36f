/**
 * Strict DER encoding of ECDSA signatures, BIP 66 ("Strict DER signatures"):
 * `0x30 len 0x02 lenR R 0x02 lenS S`, each integer minimally encoded and non-negative.
 *
 * BIP 66 checks a signature with its sighash byte appended; these functions take the DER part alone
 * (as Lightning messages carry it), so its 9..73 byte bounds become 8..72. Witnesses carry DER plus
 * the sighash byte: `encodeDerWithSighash` / `decodeDerWithSighash` handle that form.
 *
 * Inside Vigil a signature is 64 bytes, r || s, each 32-byte big-endian.
 */
import { concatBytes, expectLength, expectUint } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { SIGNATURE_LENGTH } from './ecdsa.js';
import { SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_SINGLE } from './sighash.js';

const COMPONENT_LENGTH = SIGNATURE_LENGTH / 2;
const MIN_DER_LENGTH = 8;
const MAX_DER_LENGTH = 72;
const SEQUENCE_MARKER = 0x30;
const INTEGER_MARKER = 0x02;

/** A witness signature split into the 64-byte r || s and the sighash type byte after the DER. */
export interface SignatureWithSighash {
  readonly sig: Uint8Array;
  readonly sighashType: number;
}

/** Strict DER of a 64-byte r || s signature. */
export function encodeDer(sig: Uint8Array): Uint8Array {
  expectLength(sig, SIGNATURE_LENGTH, 'sig');
  const r = encodeInteger(sig.subarray(0, COMPONENT_LENGTH));
  const s = encodeInteger(sig.subarray(COMPONENT_LENGTH));
  return concatBytes(
    Uint8Array.of(SEQUENCE_MARKER, 4 + r.length + s.length, INTEGER_MARKER, r.length),
    r,
    Uint8Array.of(INTEGER_MARKER, s.length),
    s,
  );
}

/**
 * Decodes a strict DER signature (no sighash byte) to 64-byte r || s, rejecting every form BIP 66
 * rejects, and an r or s too large for 32 bytes. The checks run in BIP 66's order.
 */
export function decodeDer(der: Uint8Array, field: string): Uint8Array {
  if (!(der instanceof Uint8Array)) throw new DecodeError(field, `expected bytes, got ${typeof der}`);
  if (der.length < MIN_DER_LENGTH) {
    throw new DecodeError(
      field,
      `too short: ${der.length} bytes, a DER signature has at least ${MIN_DER_LENGTH}`,
    );
  }
  if (der.length > MAX_DER_LENGTH) {
    throw new DecodeError(
      field,
      `too long: ${der.length} bytes, a DER signature has at most ${MAX_DER_LENGTH}`,
    );
  }
  if (der[0] !== SEQUENCE_MARKER) {
    throw new DecodeError(field, `expected sequence marker 0x30, got 0x${hexByte(der[0]!)}`);
  }
  if (der[1] !== der.length - 2) {
    throw new DecodeError(
      field,
      `sequence length ${der[1]} does not match the ${der.length - 2} bytes that follow`,
    );
  }
  const lenR = der[3]!;
  if (5 + lenR >= der.length) throw new DecodeError(field, `r length ${lenR} leaves no room for s`);
  const lenS = der[5 + lenR]!;
  if (lenR + lenS + 6 !== der.length) {
    throw new DecodeError(
      field,
      `r length ${lenR} and s length ${lenS} do not add up to the ${der.length}-byte signature`,
    );
  }
  const r = decodeInteger(der, 2, 'r', field);
  const s = decodeInteger(der, 4 + lenR, 's', field);
  return concatBytes(r, s);
}

/** DER plus the trailing sighash type byte, as a signature appears in a witness or scriptSig. */
export function encodeDerWithSighash(sig: Uint8Array, sighashType: number): Uint8Array {
  expectUint(sighashType, 0xff, 'sighashType');
  if (!isDefinedSighashType(sighashType)) {
    throw new ValidationError('sighashType', undefinedSighashProblem(sighashType));
  }
  return concatBytes(encodeDer(sig), Uint8Array.of(sighashType));
}

/**
 * Splits a witness signature into r || s and its sighash type. Besides strict DER, the type must be
 * one that is defined (ALL, NONE, SINGLE, each optionally with ANYONECANPAY), as the
 * SCRIPT_VERIFY_STRICTENC policy requires.
 */
export function decodeDerWithSighash(bytes: Uint8Array, field: string): SignatureWithSighash {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(field, `expected bytes, got ${typeof bytes}`);
  if (bytes.length === 0) throw new DecodeError(field, 'empty, expected DER and a sighash type byte');
  const sighashType = bytes[bytes.length - 1]!;
  if (!isDefinedSighashType(sighashType)) throw new DecodeError(field, undefinedSighashProblem(sighashType));
  return { sig: decodeDer(bytes.subarray(0, bytes.length - 1), field), sighashType };
}

/** Minimal DER content of a non-negative 32-byte big-endian integer. */
function encodeInteger(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const digits = value.slice(start);
  // A set high bit would read as negative, so DER needs a 0x00 in front.
  return digits[0]! & 0x80 ? concatBytes(Uint8Array.of(0), digits) : digits;
}

/**
 * Checks the integer whose 0x02 marker is at `offset` (its length already checked to fit) and
 * returns its value as 32 bytes.
 */
function decodeInteger(der: Uint8Array, offset: number, name: 'r' | 's', field: string): Uint8Array {
  if (der[offset] !== INTEGER_MARKER) {
    throw new DecodeError(
      field,
      `expected integer marker 0x02 before ${name}, got 0x${hexByte(der[offset]!)}`,
    );
  }
  const length = der[offset + 1]!;
  if (length === 0) throw new DecodeError(field, `${name} has zero length`);
  const content = der.subarray(offset + 2, offset + 2 + length);
  if (content[0]! & 0x80) throw new DecodeError(field, `${name} has a negative encoding`);
  if (length > 1 && content[0] === 0 && !(content[1]! & 0x80)) {
    throw new DecodeError(field, `${name} has an unnecessary leading zero`);
  }
  const digits = content[0] === 0 ? content.subarray(1) : content;
  if (digits.length > COMPONENT_LENGTH) {
    throw new DecodeError(field, `${name} is ${digits.length} bytes, more than ${COMPONENT_LENGTH}`);
  }
  const out = new Uint8Array(COMPONENT_LENGTH);
  out.set(digits, COMPONENT_LENGTH - digits.length);
  return out;
}

function isDefinedSighashType(sighashType: number): boolean {
  const base = sighashType & ~SIGHASH_ANYONECANPAY;
  return base >= SIGHASH_ALL && base <= SIGHASH_SINGLE;
}

function undefinedSighashProblem(sighashType: number): string {
  return `sighash type 0x${hexByte(sighashType)} is not ALL, NONE or SINGLE (optionally with ANYONECANPAY)`;
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}
