/**
 * BOLT 3 Appendix B: the funding transaction rebuilt from its parts (a P2PKH coinbase input signed
 * with the legacy sighash, the 2-of-2 P2WSH funding output, P2WPKH change) and compared byte for
 * byte, txid included.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { encodeDerWithSighash } from '../../src/bitcoin/der.js';
import { signEcdsa } from '../../src/bitcoin/ecdsa.js';
import { hash160 } from '../../src/bitcoin/hash.js';
import { p2pkhScript, p2wpkhScript } from '../../src/bitcoin/output-scripts.js';
import { compileScript } from '../../src/bitcoin/script.js';
import { pubkeyFromPrivkey } from '../../src/bitcoin/secp256k1.js';
import { legacySighash, SIGHASH_ALL } from '../../src/bitcoin/sighash.js';
import { decodeTx, encodeTx, type Transaction, txidFromHex, txidHex } from '../../src/bitcoin/tx.js';
import { fundingOutput } from '../../src/ln/funding.js';
import { loadVectors } from '../vectors.js';

interface FundingCase {
  block1_coinbase_tx: string;
  block1_coinbase_privkey: string;
  local_funding_pubkey: string;
  remote_funding_pubkey: string;
  funding_output_script: string;
  input_txid: string;
  input_index: number;
  input_satoshis: number;
  funding_satoshis: number;
  change_satoshis: number;
  funding_output_index: number;
  funding_tx: string;
  funding_txid: string;
}

const [c] = loadVectors<{ cases: FundingCase[] }>('bolt03-funding.json').cases;

describe('BOLT 3 Appendix B funding transaction', () => {
  const coinbasePrivkey = fromHex(c!.block1_coinbase_privkey);
  const coinbasePubkey = pubkeyFromPrivkey(coinbasePrivkey);

  it('spends the P2PKH output of block 1 coinbase', () => {
    const coinbase = decodeTx(fromHex(c!.block1_coinbase_tx));
    expect(txidHex(coinbase)).toBe(c!.input_txid);
    const spent = coinbase.outputs[c!.input_index]!;
    expect(spent.valueSat).toBe(BigInt(c!.input_satoshis));
    expect(toHex(spent.scriptPubKey)).toBe(toHex(p2pkhScript(hash160(coinbasePubkey))));
  });

  it('builds and signs the funding transaction byte for byte', () => {
    const funding = fundingOutput(
      fromHex(c!.local_funding_pubkey),
      fromHex(c!.remote_funding_pubkey),
      BigInt(c!.funding_satoshis),
    );
    expect(toHex(funding.scriptPubKey)).toBe(c!.funding_output_script);

    const unsigned: Transaction = {
      version: 2,
      inputs: [
        {
          prevout: { txid: txidFromHex(c!.input_txid), vout: c!.input_index },
          scriptSig: new Uint8Array(0),
          sequence: 0xffff_ffff,
          witness: [],
        },
      ],
      outputs: [
        funding,
        { valueSat: BigInt(c!.change_satoshis), scriptPubKey: p2wpkhScript(hash160(coinbasePubkey)) },
      ],
      locktime: 0,
    };
    const prevScript = p2pkhScript(hash160(coinbasePubkey));
    const sig = signEcdsa(legacySighash(unsigned, 0, prevScript, SIGHASH_ALL), coinbasePrivkey);
    const scriptSig = compileScript([encodeDerWithSighash(sig, SIGHASH_ALL), coinbasePubkey]);
    const signed: Transaction = { ...unsigned, inputs: [{ ...unsigned.inputs[0]!, scriptSig }] };

    expect(toHex(encodeTx(signed))).toBe(c!.funding_tx);
    expect(txidHex(signed)).toBe(c!.funding_txid);
    expect(signed.outputs[c!.funding_output_index]).toEqual(funding);
  });
});
