/**
 * Transactions and scripts as bitcoind's RPCs print them (`TxToUniv`, `ScriptToUniv`,
 * core_write.cpp): decoderawtransaction, getrawtransaction verbose, getblock verbosity 2 and 3,
 * gettxout. Field order follows bitcoind's.
 */
import { REGTEST } from '../../bitcoin/network.js';
import { toHex } from '../../bytes.js';
import { scriptToAsm } from './asm.js';
import type { Coin } from './coins.js';
import { addressOf, inferDescriptor } from './descriptor.js';
import { btc, type JsonValue } from './json.js';
import { solveOutputScript } from './output-type.js';
import { flipHashHex, type PreparedTx } from './prepared-tx.js';
import { isCoinbase } from './tx-consensus.js';

/** `scriptPubKey` object: asm, desc, hex, address (when there is one), type. */
export function scriptPubKeyToJson(script: Uint8Array): JsonValue {
  const solved = solveOutputScript(script);
  const address = addressOf(script, REGTEST);
  return {
    asm: scriptToAsm(script),
    desc: inferDescriptor(script, solved, address),
    hex: toHex(script),
    address,
    type: solved.type,
  };
}

export interface TxJsonOptions {
  /** The coins spent, in input order: adds `fee` (and `prevout` with `prevouts`). */
  readonly spent?: readonly Coin[] | undefined;
  readonly prevouts?: boolean;
  /** Adds the serialization as `hex`. */
  readonly hex?: boolean;
}

/** `TxToUniv`. */
export function txToJson(
  p: PreparedTx,
  options: TxJsonOptions = {},
): { [key: string]: JsonValue | undefined } {
  const tx = p.tx;
  const coinbase = isCoinbase(tx);
  const spent = coinbase ? undefined : options.spent;
  const vin = tx.inputs.map((input, i) => {
    const witness = input.witness.length > 0 ? input.witness.map(toHex) : undefined;
    if (coinbase) return { coinbase: toHex(input.scriptSig), txinwitness: witness, sequence: input.sequence };
    const coin = spent?.[i];
    return {
      txid: flipHashHex(toHex(input.prevout.txid)),
      vout: input.prevout.vout,
      scriptSig: { asm: scriptToAsm(input.scriptSig, true), hex: toHex(input.scriptSig) },
      prevout: options.prevouts && coin !== undefined ? prevoutToJson(coin) : undefined,
      txinwitness: witness,
      sequence: input.sequence,
    };
  });
  const vout = tx.outputs.map((output, n) => ({
    value: btc(output.valueSat),
    n,
    scriptPubKey: scriptPubKeyToJson(output.scriptPubKey),
  }));
  const valueIn = spent?.reduce((sum, coin) => sum + coin.output.valueSat, 0n);
  const valueOut = tx.outputs.reduce((sum, output) => sum + output.valueSat, 0n);
  return {
    txid: flipHashHex(p.txidKey),
    hash: flipHashHex(p.wtxidKey),
    version: tx.version,
    size: p.raw.length,
    vsize: p.vsize,
    weight: p.weight,
    locktime: tx.locktime,
    vin,
    vout,
    fee: valueIn === undefined ? undefined : btc(valueIn - valueOut),
    hex: options.hex ? toHex(p.raw) : undefined,
  };
}

function prevoutToJson(coin: Coin): JsonValue {
  return {
    generated: coin.isCoinbase,
    height: coin.height,
    value: btc(coin.output.valueSat),
    scriptPubKey: scriptPubKeyToJson(coin.output.scriptPubKey),
  };
}
