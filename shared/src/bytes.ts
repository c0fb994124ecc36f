/**
 * Byte helpers used by every codec: hex at the edges, comparisons, and a bounds-checked reader and
 * a writer for both byte orders (Bitcoin is little-endian, the BOLTs are big-endian).
 */
import { DecodeError, ValidationError } from './errors.js';

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses hex (either case, even length, no prefix); `field` names the input in the error. */
export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (!HEX_RE.test(hex)) {
    throw new DecodeError(
      field,
      `expected an even number of hex digits, got ${JSON.stringify(hex.slice(0, 16))}${hex.length > 16 ? '...' : ''} (${hex.length} chars)`,
    );
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Concatenation of `parts` into a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when `a` and `b` hold the same bytes. Not constant-time: never use it on secrets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order of byte strings (a shorter prefix sorts first), as BIP 69 uses. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A reversed copy (txids are hashed in internal order and displayed reversed). */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

/** Throws unless `value` is a Uint8Array (of any length). Returns it for chaining. */
export function expectBytes(value: Uint8Array, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ValidationError(field, `expected bytes, got ${typeof value}`);
  return value;
}

/** Throws unless `bytes` has exactly `length` bytes. Returns `bytes` for chaining. */
export function expectLength(bytes: Uint8Array, length: number, field: string): Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new ValidationError(field, `expected ${length} bytes, got ${typeof bytes}`);
  if (bytes.length !== length)
    throw new ValidationError(field, `expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

/** Throws unless `value` is an integer in [0, max]. */
export function expectUint(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(field, `expected an integer in [0, ${max}], got ${value}`);
  }
  return value;
}

/** Throws unless `value` is a bigint in [0, max]. */
export function expectBigUint(value: bigint, max: bigint, field: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > max) {
    throw new ValidationError(field, `expected an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffff_ffff;
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

/**
 * Reads fields in sequence from a byte array. Every read names its field, so a truncated input
 * fails with `field: expected N bytes, got M` instead of reading past the end.
 */
export class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, field: string): void {
    if (this.remaining < n) throw new DecodeError(field, `expected ${n} bytes, got ${this.remaining}`);
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.data.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Everything not read yet. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  u8(field: string): number {
    this.need(1, field);
    return this.data[this.pos++]!;
  }

  /** The next byte without consuming it. */
  peekU8(field: string): number {
    this.need(1, field);
    return this.data[this.pos]!;
  }

  u16be(field: string): number {
    return this.fixed(2, field, (at) => this.view.getUint16(at, false));
  }

  u16le(field: string): number {
    return this.fixed(2, field, (at) => this.view.getUint16(at, true));
  }

  u32be(field: string): number {
    return this.fixed(4, field, (at) => this.view.getUint32(at, false));
  }

  u32le(field: string): number {
    return this.fixed(4, field, (at) => this.view.getUint32(at, true));
  }

  u64be(field: string): bigint {
    return this.fixed(8, field, (at) => this.view.getBigUint64(at, false));
  }

  u64le(field: string): bigint {
    return this.fixed(8, field, (at) => this.view.getBigUint64(at, true));
  }

  /** Reads a `size`-byte value at the current position with `read`, after the bounds check. */
  private fixed<T>(size: number, field: string, read: (at: number) => T): T {
    this.need(size, field);
    const value = read(this.pos);
    this.pos += size;
    return value;
  }

  /** Throws if anything is left unread: trailing bytes are an error, never ignored. */
  end(field: string): void {
    if (this.remaining !== 0) throw new DecodeError(field, `${this.remaining} unexpected trailing bytes`);
  }
}

/** Appends fields to a growing buffer; `finish()` returns exactly the bytes written. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16be(v: number): this {
    return this.fixed(2, (at) => this.view.setUint16(at, v, false));
  }

  u16le(v: number): this {
    return this.fixed(2, (at) => this.view.setUint16(at, v, true));
  }

  u32be(v: number): this {
    return this.fixed(4, (at) => this.view.setUint32(at, v, false));
  }

  u32le(v: number): this {
    return this.fixed(4, (at) => this.view.setUint32(at, v, true));
  }

  u64be(v: bigint): this {
    return this.fixed(8, (at) => this.view.setBigUint64(at, v, false));
  }

  u64le(v: bigint): this {
    return this.fixed(8, (at) => this.view.setBigUint64(at, v, true));
  }

  /** Writes a `size`-byte value at the current position with `write`, after growing the buffer. */
  private fixed(size: number, write: (at: number) => void): this {
    this.reserve(size);
    write(this.pos);
    this.pos += size;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
