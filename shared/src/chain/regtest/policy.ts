/**
 * Standardness, as bitcoind's policy/policy.cpp applies it to mempool transactions (not to blocks):
 * `IsStandardTx` (version, weight, scriptSig size and push-only, standard output types, dust, one
 * OP_RETURN), `GetDustThreshold` at the dust relay fee (3000 sat/kvB: 294 sat for P2WPKH, 330 for
 * P2WSH and P2TR, 546 for P2PKH, 540 for P2SH), `AreInputsStandard` and `IsWitnessStandard`.
 */
import type { Transaction, TxOut } from '../../bitcoin/tx.js';
import { parseWitnessProgram } from '../../bitcoin/output-scripts.js';
import { feeForVsize } from './money.js';
import {
  accurateSigOpCount,
  isPayToScriptHash,
  isPushOnly,
  isUnspendable,
  pushedItems,
  solveOutputScript,
} from './output-type.js';
import type { PreparedTx } from './prepared-tx.js';

/** bitcoind's DUST_RELAY_TX_FEE, sat/kvB. */
export const DUST_RELAY_FEE_RATE = 3000n;
export const MAX_STANDARD_TX_WEIGHT = 400_000;
/** Transactions smaller than this (without witness) could be confused with a 64-byte merkle node. */
export const MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
const MAX_STANDARD_SCRIPTSIG_SIZE = 1650;
/** Bitcoin Core 27 relays versions 1 and 2 only (version 3, TRUC, came in 28). */
const TX_MAX_STANDARD_VERSION = 2;
/** `-datacarriersize` default: a whole OP_RETURN script of at most 83 bytes. */
const MAX_OP_RETURN_RELAY = 83;
const MAX_STANDARD_MULTISIG_KEYS = 3;
const MAX_P2SH_SIGOPS = 15;
const MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600;
const MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
const MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
const MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
const ANNEX_TAG = 0x50;
const TAPROOT_LEAF_MASK = 0xfe;
const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
/** Size of spending a witness output (outpoint, empty scriptSig, sequence, 107/4 witness bytes). */
const WITNESS_SPEND_BYTES = 32 + 4 + 1 + Math.floor(107 / 4) + 4;
/** Size of spending any other output (outpoint, 107-byte scriptSig, sequence). */
const LEGACY_SPEND_BYTES = 32 + 4 + 1 + 107 + 4;

/** `GetDustThreshold`: the fee, at `dustRelayFeeRate`, of creating and later spending `output`. */
export function dustThresholdSat(output: TxOut, dustRelayFeeRate: bigint = DUST_RELAY_FEE_RATE): bigint {
  const script = output.scriptPubKey;
  if (isUnspendable(script)) return 0n;
  const outputBytes = 8 + compactSizeLength(script.length) + script.length;
  const spendBytes = parseWitnessProgram(script) !== undefined ? WITNESS_SPEND_BYTES : LEGACY_SPEND_BYTES;
  return feeForVsize(dustRelayFeeRate, outputBytes + spendBytes);
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}

/** `IsStandardTx`: undefined when standard, otherwise bitcoind's reject reason. */
export function nonStandardReason(p: PreparedTx, dustRelayFeeRate: bigint): string | undefined {
  const tx = p.tx;
  if (tx.version > TX_MAX_STANDARD_VERSION || tx.version < 1) return 'version';
  if (p.weight > MAX_STANDARD_TX_WEIGHT) return 'tx-size';
  for (const input of tx.inputs) {
    if (input.scriptSig.length > MAX_STANDARD_SCRIPTSIG_SIZE) return 'scriptsig-size';
    if (!isPushOnly(input.scriptSig)) return 'scriptsig-not-pushonly';
  }
  let dataOutputs = 0;
  for (const output of tx.outputs) {
    const solved = solveOutputScript(output.scriptPubKey);
    if (!isStandardOutput(output.scriptPubKey, solved.type, solved.multisig)) return 'scriptpubkey';
    if (solved.type === 'nulldata') dataOutputs++;
    else if (output.valueSat < dustThresholdSat(output, dustRelayFeeRate)) return 'dust';
  }
  if (dataOutputs > 1) return 'multi-op-return';
  return undefined;
}

/** `IsStandard(scriptPubKey)`: a known type, bare multisig of at most 3 keys, OP_RETURN of at most 83 bytes. */
function isStandardOutput(
  script: Uint8Array,
  type: string,
  multisig: { required: number; keys: number } | undefined,
): boolean {
  if (type === 'nonstandard') return false;
  if (multisig !== undefined) return multisig.keys >= 1 && multisig.keys <= MAX_STANDARD_MULTISIG_KEYS;
  if (type === 'nulldata') return script.length <= MAX_OP_RETURN_RELAY;
  return true;
}

/**
 * `AreInputsStandard`: no input spends a nonstandard or unknown-witness-version output, and a P2SH
 * redeem script has at most 15 signature operations.
 */
export function areInputsStandard(tx: Transaction, spent: readonly TxOut[]): boolean {
  return tx.inputs.every((input, i) => {
    const prevScript = spent[i]!.scriptPubKey;
    const type = solveOutputScript(prevScript).type;
    if (type === 'nonstandard' || type === 'witness_unknown') return false;
    if (type !== 'scripthash') return true;
    const redeemScript = pushedItems(input.scriptSig)?.at(-1);
    return redeemScript !== undefined && accurateSigOpCount(redeemScript) <= MAX_P2SH_SIGOPS;
  });
}

/**
 * `IsWitnessStandard`: witnesses only on witness programs (native or P2SH-wrapped); P2WSH within
 * 3600-byte scripts, 100 items, 80 bytes per item; taproot without annex, tapscript items of at
 * most 80 bytes.
 */
export function isWitnessStandard(tx: Transaction, spent: readonly TxOut[]): boolean {
  return tx.inputs.every((input, i) => {
    if (input.witness.length === 0) return true;
    let prevScript = spent[i]!.scriptPubKey;
    const wrapped = isPayToScriptHash(prevScript);
    if (wrapped) {
      const redeemScript = pushedItems(input.scriptSig)?.at(-1);
      if (redeemScript === undefined) return false;
      prevScript = redeemScript;
    }
    const program = parseWitnessProgram(prevScript);
    if (program === undefined) return false;
    if (program.version === 0 && program.program.length === 32) return isP2wshWitnessStandard(input.witness);
    if (program.version === 1 && program.program.length === 32 && !wrapped) {
      return isTaprootWitnessStandard(input.witness);
    }
    return true;
  });
}

function isP2wshWitnessStandard(witness: readonly Uint8Array[]): boolean {
  const script = witness[witness.length - 1]!;
  const items = witness.slice(0, -1);
  return (
    script.length <= MAX_STANDARD_P2WSH_SCRIPT_SIZE &&
    items.length <= MAX_STANDARD_P2WSH_STACK_ITEMS &&
    items.every((item) => item.length <= MAX_STANDARD_P2WSH_STACK_ITEM_SIZE)
  );
}

function isTaprootWitnessStandard(witness: readonly Uint8Array[]): boolean {
  const last = witness[witness.length - 1]!;
  // Annexes stay nonstandard until something gives them meaning.
  if (witness.length >= 2 && last.length > 0 && last[0] === ANNEX_TAG) return false;
  if (witness.length === 1) return true;
  const controlBlock = last;
  if (controlBlock.length === 0) return false;
  if ((controlBlock[0]! & TAPROOT_LEAF_MASK) !== TAPROOT_LEAF_TAPSCRIPT) return true;
  return witness.slice(0, -2).every((item) => item.length <= MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE);
}
