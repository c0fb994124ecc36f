/**
 * Scripts as bitcoind prints them in `asm` fields (`ScriptToAsmStr`, core_write.cpp): pushes of up
 * to 4 bytes as decimal script numbers, longer pushes as hex, OP_0..OP_16 and OP_1NEGATE as
 * numbers, other opcodes by name, `[error]` where a push runs past the end. In scriptSigs a push
 * that is a strictly encoded signature shows its sighash type: `3044...01` becomes `3044...[ALL]`.
 */
import { decodeDerWithSighash } from '../../bitcoin/der.js';
import { OP, opcodeName } from '../../bitcoin/opcodes.js';
import { toHex } from '../../bytes.js';
import { DecodeError } from '../../errors.js';
import { isUnspendable } from './output-type.js';

const INVALID_OPCODE = 0xff;

const SIGHASH_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'ALL'],
  [0x81, 'ALL|ANYONECANPAY'],
  [0x02, 'NONE'],
  [0x82, 'NONE|ANYONECANPAY'],
  [0x03, 'SINGLE'],
  [0x83, 'SINGLE|ANYONECANPAY'],
]);

/** `ScriptToAsmStr(script, attemptSighashDecode)`. */
export function scriptToAsm(script: Uint8Array, attemptSighashDecode = false): string {
  const parts: string[] = [];
  let pos = 0;
  while (pos < script.length) {
    const opcode = script[pos++]!;
    if (opcode > OP.PUSHDATA4) {
      parts.push(opName(opcode));
      continue;
    }
    const push = readPush(script, pos, opcode);
    if (push === undefined) {
      parts.push('[error]');
      break;
    }
    pos = push.end;
    parts.push(pushToAsm(push.data, attemptSighashDecode && !isUnspendable(script)));
  }
  return parts.join(' ');
}

/** bitcoind's `GetOpName`, with its `OP_UNKNOWN` and `OP_INVALIDOPCODE` for bytes that are no opcode. */
function opName(opcode: number): string {
  if (opcode === OP['1NEGATE']) return '-1';
  if (opcode >= OP['1'] && opcode <= OP['16']) return String(opcode - OP['1'] + 1);
  const name = opcodeName(opcode);
  if (!name.startsWith('OP_UNKNOWN')) return name;
  return opcode === INVALID_OPCODE ? 'OP_INVALIDOPCODE' : 'OP_UNKNOWN';
}

/** The data of the push at `pos` (just past its opcode), or undefined when it runs past the end. */
function readPush(
  script: Uint8Array,
  pos: number,
  opcode: number,
): { data: Uint8Array; end: number } | undefined {
  let length = opcode;
  let start = pos;
  const lengthBytes =
    opcode === OP.PUSHDATA1 ? 1 : opcode === OP.PUSHDATA2 ? 2 : opcode === OP.PUSHDATA4 ? 4 : 0;
  if (lengthBytes > 0) {
    if (pos + lengthBytes > script.length) return undefined;
    length = 0;
    for (let i = lengthBytes - 1; i >= 0; i--) length = length * 256 + script[pos + i]!;
    start = pos + lengthBytes;
  }
  if (start + length > script.length) return undefined;
  return { data: script.subarray(start, start + length), end: start + length };
}

function pushToAsm(data: Uint8Array, attemptSighashDecode: boolean): string {
  if (data.length <= 4) return scriptNumToString(data);
  if (attemptSighashDecode) {
    const name = SIGHASH_NAMES.get(data[data.length - 1]!);
    if (name !== undefined && isStrictSignature(data))
      return `${toHex(data.subarray(0, data.length - 1))}[${name}]`;
  }
  return toHex(data);
}

function isStrictSignature(data: Uint8Array): boolean {
  try {
    decodeDerWithSighash(data, 'signature');
    return true;
  } catch (e) {
    if (e instanceof DecodeError) return false;
    throw e;
  }
}

/** A little-endian sign-magnitude script number (up to 4 bytes) in decimal; empty is 0. */
function scriptNumToString(data: Uint8Array): string {
  if (data.length === 0) return '0';
  let value = 0;
  for (let i = data.length - 1; i >= 0; i--)
    value = value * 256 + (i === data.length - 1 ? data[i]! & 0x7f : data[i]!);
  return String(data[data.length - 1]! & 0x80 ? -value : value);
}
