/**
 * Input script verification by an independent interpreter: bitcore-lib's `Script.Interpreter`, a
 * port of bitcoind's `VerifyScript`, checks every input against the output it spends. It parses the
 * raw transaction itself and computes its own signature hashes and ECDSA/Schnorr checks, so a bug in
 * Vigil's sighash or signer cannot hide behind the same bug in the checker.
 *
 * The flags follow bitcoind's policy.h: blocks (and bitcoind's "mandatory" set) use the regtest
 * consensus flags, P2SH, DERSIG, NULLDUMMY, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY, WITNESS and
 * TAPROOT; the mempool adds the standardness flags (STRICTENC, MINIMALDATA, LOW_S, NULLFAIL,
 * MINIMALIF, WITNESS_PUBKEYTYPE, the DISCOURAGE_* upgrade guards, CONST_SCRIPTCODE). A failure is
 * reported as bitcoind's `CheckInputScripts` does: `mandatory-script-verify-flag-failed (<error>)`
 * when the consensus flags alone fail too, `non-mandatory-script-verify-flag (<error>)` otherwise.
 *
 * CLEANSTACK is left out: bitcore checks it against the wrong stack (it rejects every native segwit
 * spend), and for witness scripts consensus already requires a clean stack.
 */
import bitcore from 'bitcore-lib';
import { scriptErrorString, UNPARSEABLE_SCRIPT_ERROR } from './script-errors.js';

const I = bitcore.Script.Interpreter;

/** bitcoind's MANDATORY_SCRIPT_VERIFY_FLAGS, which are also regtest's block flags from height 1. */
export const CONSENSUS_SCRIPT_FLAGS =
  I.SCRIPT_VERIFY_P2SH |
  I.SCRIPT_VERIFY_DERSIG |
  I.SCRIPT_VERIFY_NULLDUMMY |
  I.SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
  I.SCRIPT_VERIFY_CHECKSEQUENCEVERIFY |
  I.SCRIPT_VERIFY_WITNESS |
  I.SCRIPT_VERIFY_TAPROOT;

/** bitcoind's STANDARD_SCRIPT_VERIFY_FLAGS without CLEANSTACK (see the file comment). */
export const STANDARD_SCRIPT_FLAGS =
  CONSENSUS_SCRIPT_FLAGS |
  I.SCRIPT_VERIFY_STRICTENC |
  I.SCRIPT_VERIFY_MINIMALDATA |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS |
  I.SCRIPT_VERIFY_MINIMALIF |
  I.SCRIPT_VERIFY_NULLFAIL |
  I.SCRIPT_VERIFY_LOW_S |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |
  I.SCRIPT_VERIFY_WITNESS_PUBKEYTYPE |
  I.SCRIPT_VERIFY_CONST_SCRIPTCODE |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
  I.SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

/** The output an input spends: what its scripts are checked against. */
export interface SpentOutput {
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
}

export interface ScriptFailure {
  readonly inputIndex: number;
  /** bitcoind's reject reason, e.g. `mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)`. */
  readonly reason: string;
}

/**
 * bitcoind's `CheckInputScripts`: verifies every input of the serialized transaction `rawTx`
 * under `flags`; `spent[i]` is the output input i spends. Undefined when all pass.
 */
export function checkInputScripts(
  rawTx: Uint8Array,
  spent: readonly SpentOutput[],
  flags: number,
): ScriptFailure | undefined {
  const tx = parseWithSpentOutputs(rawTx, spent);
  for (let i = 0; i < spent.length; i++) {
    const error = verifyInput(tx, i, spent[i]!, flags);
    if (error === undefined) continue;
    const failsConsensusToo =
      (flags & ~CONSENSUS_SCRIPT_FLAGS) === 0 ||
      verifyInput(tx, i, spent[i]!, flags & CONSENSUS_SCRIPT_FLAGS) !== undefined;
    const reason = failsConsensusToo
      ? `mandatory-script-verify-flag-failed (${error})`
      : `non-mandatory-script-verify-flag (${error})`;
    return { inputIndex: i, reason };
  }
  return undefined;
}

/** Parses `rawTx` with bitcore and attaches each spent output (taproot sighashes commit to all of them). */
function parseWithSpentOutputs(rawTx: Uint8Array, spent: readonly SpentOutput[]): bitcore.Transaction {
  const tx = new bitcore.Transaction(Buffer.from(rawTx));
  if (tx.inputs.length !== spent.length) {
    // Both parsers read the same bytes; disagreeing on the input count would be a bug in one of them.
    throw new Error(`script verifier: bitcore read ${tx.inputs.length} inputs, expected ${spent.length}`);
  }
  tx.inputs.forEach((input, i) => {
    const output = spent[i]!;
    input.output = new bitcore.Transaction.Output({
      satoshis: Number(output.valueSat),
      script: Buffer.from(output.scriptPubKey),
    });
  });
  return tx;
}

/** Runs input `index` through a fresh interpreter: undefined when valid, else bitcoind's error message. */
function verifyInput(
  tx: bitcore.Transaction,
  index: number,
  spent: SpentOutput,
  flags: number,
): string | undefined {
  const input = tx.inputs[index]!;
  let scriptSig: bitcore.Script;
  let scriptPubKey: bitcore.Script;
  try {
    scriptSig = input.script ?? new bitcore.Script(Buffer.alloc(0));
    scriptPubKey = new bitcore.Script(Buffer.from(spent.scriptPubKey));
  } catch {
    return UNPARSEABLE_SCRIPT_ERROR;
  }
  const interpreter = new I();
  try {
    const valid = interpreter.verify(
      scriptSig,
      scriptPubKey,
      tx,
      index,
      flags,
      input.getWitnesses(),
      Number(spent.valueSat),
    );
    return valid ? undefined : scriptErrorString(interpreter.errstr);
  } catch {
    // bitcore throws on a few malformed inputs bitcoind simply fails; failing is the safe side.
    return scriptErrorString('');
  }
}
