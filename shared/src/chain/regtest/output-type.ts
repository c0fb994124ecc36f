/**
 * What an output script is, as bitcoind's `Solver` (script/solver.cpp) classifies it: the standard
 * templates (P2PK, P2PKH, P2SH, bare multisig, OP_RETURN data, witness v0 key/script hash, taproot,
 * other witness versions) or `nonstandard`. The type names are the ones bitcoind prints in
 * `scriptPubKey.type`.
 */
import { parseWitnessProgram } from '../../bitcoin/output-scripts.js';
import { OP } from '../../bitcoin/opcodes.js';
import { parseScriptOps, type ScriptOp } from '../../bitcoin/script.js';
import { DecodeError } from '../../errors.js';

export type OutputType =
  | 'nonstandard'
  | 'pubkey'
  | 'pubkeyhash'
  | 'scripthash'
  | 'multisig'
  | 'nulldata'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'witness_unknown';

export interface SolvedOutput {
  readonly type: OutputType;
  /** For `multisig`: signatures required and keys listed. */
  readonly multisig?: { readonly required: number; readonly keys: number };
}

/** Scripts larger than this can never be executed (MAX_SCRIPT_SIZE). */
export const MAX_SCRIPT_SIZE = 10_000;
const MAX_PUBKEYS_PER_MULTISIG = 20;

/** bitcoind's `Solver`. */
export function solveOutputScript(script: Uint8Array): SolvedOutput {
  if (isPayToScriptHash(script)) return { type: 'scripthash' };
  const witness = parseWitnessProgram(script);
  if (witness !== undefined) return { type: witnessType(witness.version, witness.program.length) };
  if (script.length >= 1 && script[0] === OP.RETURN && isPushOnly(script.subarray(1)))
    return { type: 'nulldata' };
  if (isPayToPubkey(script)) return { type: 'pubkey' };
  if (isPayToPubkeyHash(script)) return { type: 'pubkeyhash' };
  const multisig = matchMultisig(script);
  if (multisig !== undefined) return { type: 'multisig', multisig };
  return { type: 'nonstandard' };
}

function witnessType(version: number, programLength: number): OutputType {
  if (version === 0 && programLength === 20) return 'witness_v0_keyhash';
  if (version === 0 && programLength === 32) return 'witness_v0_scripthash';
  if (version === 1 && programLength === 32) return 'witness_v1_taproot';
  return version === 0 ? 'nonstandard' : 'witness_unknown';
}

/** `OP_HASH160 <20 bytes> OP_EQUAL`, byte for byte (CScript::IsPayToScriptHash). */
export function isPayToScriptHash(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP.HASH160 && script[1] === 20 && script[22] === OP.EQUAL;
}

function isPayToPubkeyHash(script: Uint8Array): boolean {
  return (
    script.length === 25 &&
    script[0] === OP.DUP &&
    script[1] === OP.HASH160 &&
    script[2] === 20 &&
    script[23] === OP.EQUALVERIFY &&
    script[24] === OP.CHECKSIG
  );
}

function isPayToPubkey(script: Uint8Array): boolean {
  const keyLength = script.length - 2;
  return (
    (keyLength === 33 || keyLength === 65) &&
    script[0] === keyLength &&
    script[script.length - 1] === OP.CHECKSIG &&
    isValidPubkeySize(script.subarray(1, 1 + keyLength))
  );
}

/** `CPubKey::ValidSize`: the length the first byte announces (33 for 02/03, 65 for 04/06/07). */
function isValidPubkeySize(data: Uint8Array | undefined): boolean {
  if (data === undefined || data.length === 0) return false;
  const prefix = data[0]!;
  const expected = prefix === 2 || prefix === 3 ? 33 : prefix === 4 || prefix === 6 || prefix === 7 ? 65 : 0;
  return data.length === expected;
}

/** `MatchMultisig`: `<m> <key>... <n> OP_CHECKMULTISIG` with 1 <= m <= n <= 20 and n keys. */
function matchMultisig(script: Uint8Array): { required: number; keys: number } | undefined {
  if (script.length < 1 || script[script.length - 1] !== OP.CHECKMULTISIG) return undefined;
  const ops = tryParse(script);
  if (ops === undefined || ops.length < 3) return undefined;
  const required = smallNumber(ops[0]!, 1);
  if (required === undefined) return undefined;
  let i = 1;
  while (i < ops.length && isValidPubkeySize(ops[i]!.data)) i++;
  const keys = i - 1;
  const keyCountOp = ops[i];
  if (keyCountOp === undefined || i !== ops.length - 2) return undefined;
  const announced = smallNumber(keyCountOp, required);
  if (announced === undefined || announced !== keys) return undefined;
  return { required, keys };
}

/** `GetScriptNumber`: OP_1..OP_16, or a one-byte push of 17..20 (minimal pushes only), in [min, 20]. */
function smallNumber(op: ScriptOp, min: number): number | undefined {
  let value: number | undefined;
  if (op.opcode >= OP['1'] && op.opcode <= OP['16']) value = op.opcode - OP['1'] + 1;
  else if (op.opcode === 1 && op.data![0]! > 16) value = op.data![0];
  if (value === undefined || value < min || value > MAX_PUBKEYS_PER_MULTISIG) return undefined;
  return value;
}

/** `CScript::IsPushOnly`: parses, and every opcode is at most OP_16. */
export function isPushOnly(script: Uint8Array): boolean {
  const ops = tryParse(script);
  return ops !== undefined && ops.every((op) => op.opcode <= OP['16']);
}

/** The stack a push-only script leaves (OP_n as its number, OP_1NEGATE as 0x81), or undefined. */
export function pushedItems(script: Uint8Array): Uint8Array[] | undefined {
  const ops = tryParse(script);
  if (ops === undefined || !ops.every((op) => op.opcode <= OP['16'] && op.opcode !== OP.RESERVED))
    return undefined;
  return ops.map((op) => {
    if (op.data !== undefined) return op.data;
    if (op.opcode === OP['0']) return new Uint8Array(0);
    if (op.opcode === OP['1NEGATE']) return Uint8Array.of(0x81);
    return Uint8Array.of(op.opcode - OP['1'] + 1);
  });
}

/** `CScript::IsUnspendable`: starts with OP_RETURN or is too large to run; never enters the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === OP.RETURN) || script.length > MAX_SCRIPT_SIZE;
}

/** `GetSigOpCount(accurate=true)`: 1 per CHECKSIG, n per `OP_n CHECKMULTISIG` (20 when n is not a small int). */
export function accurateSigOpCount(script: Uint8Array): number {
  // A script that does not parse counts nothing: it fails when it runs anyway.
  const counted = tryParse(script) ?? [];
  let count = 0;
  counted.forEach((op, i) => {
    if (op.opcode === OP.CHECKSIG || op.opcode === OP.CHECKSIGVERIFY) count += 1;
    else if (op.opcode === OP.CHECKMULTISIG || op.opcode === OP.CHECKMULTISIGVERIFY) {
      const previous = counted[i - 1]?.opcode;
      count +=
        previous !== undefined && previous >= OP['1'] && previous <= OP['16'] ? previous - OP['1'] + 1 : 20;
    }
  });
  return count;
}

function tryParse(script: Uint8Array): ScriptOp[] | undefined {
  try {
    return parseScriptOps(script);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}
