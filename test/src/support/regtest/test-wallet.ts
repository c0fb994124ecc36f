/**
 * A minimal wallet for the regtest tests: deterministic keys, their P2WPKH scripts and addresses,
 * and P2WPKH spends signed with Vigil's signer (sign.ts), the code whose output the node checks.
 */
import { hash160, sha256 } from '@vigil/shared/bitcoin/hash';
import { REGTEST } from '@vigil/shared/bitcoin/network';
import { scriptToAddress } from '@vigil/shared/bitcoin/address';
import { p2pkhScript, p2wpkhScript } from '@vigil/shared/bitcoin/output-scripts';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { signSegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { encodeTx, txidHex, type Transaction, type TxOut } from '@vigil/shared/bitcoin/tx';
import { toHex } from '@vigil/shared/bytes';

export interface TestKey {
  readonly privkey: Uint8Array;
  readonly pubkey: Uint8Array;
  readonly script: Uint8Array;
  readonly address: string;
}

/** The key derived from `label` (sha256 of it): the same label always gives the same key. */
export function testKey(label: string): TestKey {
  const privkey = sha256(new TextEncoder().encode(label));
  const pubkey = pubkeyFromPrivkey(privkey);
  const script = p2wpkhScript(hash160(pubkey));
  return { privkey, pubkey, script, address: scriptToAddress(script, REGTEST) };
}

/** An output of a P2WPKH key that a test can spend. */
export interface OwnedOutput {
  readonly txid: Uint8Array;
  readonly vout: number;
  readonly valueSat: bigint;
  readonly key: TestKey;
}

export interface SpendOptions {
  readonly version?: number;
  readonly locktime?: number;
  readonly sequence?: number;
}

/** A signed transaction spending `inputs` (P2WPKH) to `outputs`. */
export function signSpend(
  inputs: readonly OwnedOutput[],
  outputs: readonly TxOut[],
  options: SpendOptions = {},
): Transaction {
  const unsigned: Transaction = {
    version: options.version ?? 2,
    inputs: inputs.map((input) => ({
      prevout: { txid: input.txid, vout: input.vout },
      scriptSig: new Uint8Array(0),
      sequence: options.sequence ?? 0xffff_fffd,
      witness: [],
    })),
    outputs,
    locktime: options.locktime ?? 0,
  };
  return {
    ...unsigned,
    inputs: unsigned.inputs.map((txIn, i) => {
      const input = inputs[i]!;
      const spent = { scriptCode: p2pkhScript(hash160(input.key.pubkey)), valueSat: input.valueSat };
      return {
        ...txIn,
        witness: [signSegwitV0Input(unsigned, i, spent, input.key.privkey), input.key.pubkey],
      };
    }),
  };
}

/** The display-order txid of the transaction that created `output`. */
export function outpointTxidHex(output: OwnedOutput): string {
  return toHex(Uint8Array.from(output.txid).reverse());
}

export function txHex(tx: Transaction): string {
  return toHex(encodeTx(tx));
}

export { txidHex };
