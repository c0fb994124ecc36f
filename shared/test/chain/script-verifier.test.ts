/**
 * The independent script check (script-verifier.ts): bitcore-lib's interpreter accepts what Vigil's
 * signer produces for P2WPKH and the BOLT 3 funding 2-of-2, and reports failures with bitcoind's
 * mandatory / non-mandatory split and wording.
 */
import { describe, expect, it } from 'vitest';
import bitcore from 'bitcore-lib';
import { decodeDerWithSighash, encodeDerWithSighash } from '../../src/bitcoin/der.js';
import { p2wshScript } from '../../src/bitcoin/output-scripts.js';
import { signSegwitV0Input } from '../../src/bitcoin/sign.js';
import { encodeTx, withInputWitness, type Transaction } from '../../src/bitcoin/tx.js';
import { concatBytes } from '../../src/bytes.js';
import { fundingSpendWitness } from '../../src/ln/funding.js';
import { fundingScript } from '../../src/ln/scripts.js';
import {
  checkInputScripts,
  CONSENSUS_SCRIPT_FLAGS,
  STANDARD_SCRIPT_FLAGS,
} from '../../src/chain/regtest/script-verifier.js';
import { signSpend, testKey } from '@vigil/test/support/regtest/test-wallet';

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const alice = testKey('script-verifier alice');
const bob = testKey('script-verifier bob');
const funded = { txid: new Uint8Array(32).fill(7), vout: 1, valueSat: 50_000n, key: alice };
const payment = signSpend([funded], [{ valueSat: 40_000n, scriptPubKey: bob.script }]);
const spent = [{ valueSat: funded.valueSat, scriptPubKey: alice.script }];

function withSignature(tx: Transaction, signature: Uint8Array): Transaction {
  return withInputWitness(tx, 0, [signature, tx.inputs[0]!.witness[1]!]);
}

function highS(signature: Uint8Array): Uint8Array {
  const { sig, sighashType } = decodeDerWithSighash(signature, 'sig');
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`);
  const flipped = Buffer.from((CURVE_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return encodeDerWithSighash(concatBytes(sig.subarray(0, 32), flipped), sighashType);
}

describe('checkInputScripts', () => {
  it('accepts a P2WPKH spend signed by Vigil under both flag sets', () => {
    expect(checkInputScripts(encodeTx(payment), spent, STANDARD_SCRIPT_FLAGS)).toBeUndefined();
    expect(checkInputScripts(encodeTx(payment), spent, CONSENSUS_SCRIPT_FLAGS)).toBeUndefined();
  });

  it('fails a signature over the wrong amount as mandatory, quoting the first failure like bitcoind', () => {
    const wrongAmount = [{ ...spent[0]!, valueSat: 50_001n }];
    expect(checkInputScripts(encodeTx(payment), wrongAmount, STANDARD_SCRIPT_FLAGS)).toEqual({
      inputIndex: 0,
      reason:
        'mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)',
    });
    expect(checkInputScripts(encodeTx(payment), wrongAmount, CONSENSUS_SCRIPT_FLAGS)?.reason).toBe(
      'mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)',
    );
  });

  it('fails a high-S signature as non-mandatory (LOW_S is policy), and accepts it by consensus', () => {
    const malleated = withSignature(payment, highS(payment.inputs[0]!.witness[0]!));
    expect(checkInputScripts(encodeTx(malleated), spent, STANDARD_SCRIPT_FLAGS)?.reason).toBe(
      'non-mandatory-script-verify-flag (Non-canonical signature: S value is unnecessarily high)',
    );
    expect(checkInputScripts(encodeTx(malleated), spent, CONSENSUS_SCRIPT_FLAGS)).toBeUndefined();
  });

  it('reports a witness for the wrong key as an EQUALVERIFY failure', () => {
    const wrongKey = withInputWitness(payment, 0, [payment.inputs[0]!.witness[0]!, bob.pubkey]);
    expect(checkInputScripts(encodeTx(wrongKey), spent, STANDARD_SCRIPT_FLAGS)?.reason).toBe(
      'mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)',
    );
  });

  it('accepts a BOLT 3 funding output spent with both signatures', () => {
    const script = fundingScript(alice.pubkey, bob.pubkey);
    const output = { valueSat: 100_000n, scriptPubKey: p2wshScript(script) };
    const unsigned: Transaction = {
      version: 2,
      inputs: [
        {
          prevout: { txid: new Uint8Array(32).fill(3), vout: 0 },
          scriptSig: new Uint8Array(0),
          sequence: 0,
          witness: [],
        },
      ],
      outputs: [{ valueSat: 99_000n, scriptPubKey: alice.script }],
      locktime: 0,
    };
    const signed = { scriptCode: script, valueSat: output.valueSat };
    const witness = fundingSpendWitness(
      { pubkey: alice.pubkey, signature: signSegwitV0Input(unsigned, 0, signed, alice.privkey) },
      { pubkey: bob.pubkey, signature: signSegwitV0Input(unsigned, 0, signed, bob.privkey) },
    );
    expect(
      checkInputScripts(encodeTx(withInputWitness(unsigned, 0, witness)), [output], STANDARD_SCRIPT_FLAGS),
    ).toBeUndefined();
    const swapped = [witness[0]!, witness[2]!, witness[1]!, witness[3]!];
    expect(
      checkInputScripts(encodeTx(withInputWitness(unsigned, 0, swapped)), [output], STANDARD_SCRIPT_FLAGS)
        ?.reason,
    ).toBe(
      'mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)',
    );
  });

  it("documents why CLEANSTACK is left out: bitcore's check rejects every valid native segwit spend", () => {
    const I = bitcore.Script.Interpreter;
    const tx = new bitcore.Transaction(Buffer.from(encodeTx(payment)));
    const ok = new I().verify(
      new bitcore.Script(Buffer.alloc(0)),
      new bitcore.Script(Buffer.from(alice.script)),
      tx,
      0,
      STANDARD_SCRIPT_FLAGS | I.SCRIPT_VERIFY_CLEANSTACK,
      tx.inputs[0]!.getWitnesses(),
      50_000,
    );
    expect(ok).toBe(false);
  });
});
