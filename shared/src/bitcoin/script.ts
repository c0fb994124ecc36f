/**
 * Script as a sequence of chunks (opcodes and data pushes): compiling with minimal pushes
 * (BIP 62 MINIMALDATA, which the BOLT 3 scripts and standardness rely on), parsing, and script
 * numbers.
 */
import { ByteReader, ByteWriter, toHex } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { OP, opcodeName } from './opcodes.js';

/** An opcode byte, or data to push. */
export type ScriptChunk = number | Uint8Array;

/** Largest element the interpreter allows on the stack (MAX_SCRIPT_ELEMENT_SIZE). */
export const MAX_SCRIPT_ELEMENT_SIZE = 520;

/** Compiles chunks into script bytes, pushing each data chunk with its minimal encoding. */
export function compileScript(chunks: readonly ScriptChunk[]): Uint8Array {
  const w = new ByteWriter(64);
  chunks.forEach((chunk, i) => {
    if (typeof chunk === 'number') {
      if (!Number.isInteger(chunk) || chunk < 0 || chunk > 0xff) {
        throw new ValidationError(`script[${i}]`, `expected an opcode byte, got ${chunk}`);
      }
      if (chunk > 0 && chunk <= OP.PUSHDATA4) {
        throw new ValidationError(
          `script[${i}]`,
          `push opcode 0x${chunk.toString(16)} must be given as data`,
        );
      }
      w.u8(chunk);
    } else {
      writeMinimalPush(w, chunk);
    }
  });
  return w.finish();
}

function writeMinimalPush(w: ByteWriter, data: Uint8Array): void {
  const n = data.length;
  if (n === 0) w.u8(OP['0']);
  else if (n === 1 && data[0]! >= 1 && data[0]! <= 16) w.u8(OP['1'] + data[0]! - 1);
  else if (n === 1 && data[0] === 0x81) w.u8(OP['1NEGATE']);
  else if (n < OP.PUSHDATA1) w.u8(n).bytes(data);
  else if (n <= 0xff) w.u8(OP.PUSHDATA1).u8(n).bytes(data);
  else if (n <= 0xffff) w.u8(OP.PUSHDATA2).u16le(n).bytes(data);
  else w.u8(OP.PUSHDATA4).u32le(n).bytes(data);
}

/** One parsed operation: its opcode byte, its data for a push, and its byte range in the script. */
export interface ScriptOp {
  readonly opcode: number;
  readonly data: Uint8Array | undefined;
  readonly start: number;
  readonly end: number;
}

/** Parses script bytes into operations. A push running past the end is an error naming its position. */
export function parseScriptOps(script: Uint8Array, field = 'script'): ScriptOp[] {
  const r = new ByteReader(script);
  const ops: ScriptOp[] = [];
  while (r.remaining > 0) {
    const start = r.offset;
    const at = `${field}[byte ${start}]`;
    const opcode = r.u8(at);
    let data: Uint8Array | undefined;
    if (opcode < OP.PUSHDATA1) data = r.bytes(opcode, `${at}.push`);
    else if (opcode === OP.PUSHDATA1) data = r.bytes(r.u8(`${at}.length`), `${at}.push`);
    else if (opcode === OP.PUSHDATA2) data = r.bytes(r.u16le(`${at}.length`), `${at}.push`);
    else if (opcode === OP.PUSHDATA4) data = r.bytes(r.u32le(`${at}.length`), `${at}.push`);
    ops.push({ opcode, data, start, end: r.offset });
  }
  return ops;
}

/**
 * Parses script bytes into chunks: small-number opcodes stay opcodes, every push (direct, OP_0 or
 * PUSHDATA1/2/4) becomes its data.
 */
export function decompileScript(script: Uint8Array, field = 'script'): ScriptChunk[] {
  return parseScriptOps(script, field).map((op) => op.data ?? op.opcode);
}

/** Human-readable form for logs and errors: `OP_DUP OP_HASH160 89ab.. OP_EQUALVERIFY`. */
export function scriptToAsm(script: Uint8Array): string {
  try {
    return decompileScript(script).map(chunkToAsm).join(' ');
  } catch (e) {
    if (e instanceof DecodeError) return `[malformed script: ${e.message}]`;
    throw e;
  }
}

/** OP_0 decompiles to empty data, which must still print as the opcode rather than as nothing. */
function chunkToAsm(chunk: ScriptChunk): string {
  if (typeof chunk === 'number') return opcodeName(chunk);
  return chunk.length === 0 ? opcodeName(OP['0']) : toHex(chunk);
}

/**
 * Minimal script-number encoding (little-endian sign-magnitude) of `n`, as CScriptNum serializes.
 * Used for CSV/CLTV arguments such as BOLT 3's `<to_self_delay>`.
 */
export function encodeScriptNum(n: number | bigint): Uint8Array {
  let v = scriptNumValue(n);
  if (v === 0n) return new Uint8Array(0);
  const negative = v < 0n;
  if (negative) v = -v;
  const out: number[] = [];
  while (v > 0n) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  // The top bit of the last byte is the sign: add a byte when the magnitude already uses it.
  if (out[out.length - 1]! & 0x80) out.push(negative ? 0x80 : 0x00);
  else if (negative) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/** The chunk that pushes the number `n` minimally: OP_0, OP_1..OP_16, OP_1NEGATE or data. */
export function scriptNumChunk(n: number | bigint): ScriptChunk {
  const v = scriptNumValue(n);
  if (v === 0n) return OP['0'];
  if (v === -1n) return OP['1NEGATE'];
  if (v >= 1n && v <= 16n) return OP['1'] + Number(v) - 1;
  return encodeScriptNum(v);
}

/** `n` as a bigint; a number must be a safe integer, so a fraction or a rounded 2^53 never encodes. */
function scriptNumValue(n: number | bigint): bigint {
  if (typeof n === 'bigint') return n;
  if (!Number.isSafeInteger(n)) throw new ValidationError('scriptNum', `expected a safe integer, got ${n}`);
  return BigInt(n);
}
