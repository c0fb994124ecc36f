/**
 * Consensus rules of a single transaction, as bitcoind's `CheckTransaction` (context-free: inputs
 * and outputs present, size, output values in range, no duplicate inputs, coinbase script length,
 * no null prevouts) and `Consensus::CheckTxInputs` (with the coins it spends: all present, coinbase
 * maturity, input values in range, no value created). Failures carry bitcoind's reject reasons.
 */
import { equalBytes } from '../../bytes.js';
import { MAX_BLOCK_WEIGHT } from '../../bitcoin/block.js';
import type { Transaction } from '../../bitcoin/tx.js';
import type { Coin } from './coins.js';
import { formatMoney, MAX_MONEY, moneyRange } from './money.js';
import { COINBASE_MATURITY } from './params.js';
import { keyOfOutpoint, type PreparedTx } from './prepared-tx.js';
import { TxRejection } from './rejections.js';

/** bitcoind reads output values as signed 64-bit: these encodings are negative. */
const INT64_MAX = 0x7fff_ffff_ffff_ffffn;
const WITNESS_SCALE_FACTOR = 4;
const ZERO_HASH = new Uint8Array(32);
const NULL_INDEX = 0xffff_ffff;
const MIN_COINBASE_SCRIPT_BYTES = 2;
const MAX_COINBASE_SCRIPT_BYTES = 100;

/** A coinbase has exactly one input, spending the null outpoint. */
export function isCoinbase(tx: Transaction): boolean {
  return tx.inputs.length === 1 && isNullPrevout(tx.inputs[0]!.prevout.txid, tx.inputs[0]!.prevout.vout);
}

function isNullPrevout(txid: Uint8Array, vout: number): boolean {
  return vout === NULL_INDEX && equalBytes(txid, ZERO_HASH);
}

/** bitcoind's `CheckTransaction`; throws a TxRejection with its reason. */
export function checkTransaction(p: PreparedTx): void {
  const tx = p.tx;
  if (tx.inputs.length === 0) throw new TxRejection('bad-txns-vin-empty');
  if (tx.outputs.length === 0) throw new TxRejection('bad-txns-vout-empty');
  if (p.baseSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) throw new TxRejection('bad-txns-oversize');
  let totalOut = 0n;
  for (const output of tx.outputs) {
    if (output.valueSat > INT64_MAX) throw new TxRejection('bad-txns-vout-negative');
    if (output.valueSat > MAX_MONEY) throw new TxRejection('bad-txns-vout-toolarge');
    totalOut += output.valueSat;
    if (!moneyRange(totalOut)) throw new TxRejection('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = keyOfOutpoint(input.prevout);
    if (seen.has(key)) throw new TxRejection('bad-txns-inputs-duplicate');
    seen.add(key);
  }
  if (isCoinbase(tx)) {
    const length = tx.inputs[0]!.scriptSig.length;
    if (length < MIN_COINBASE_SCRIPT_BYTES || length > MAX_COINBASE_SCRIPT_BYTES) {
      throw new TxRejection('bad-cb-length');
    }
  } else if (tx.inputs.some((input) => isNullPrevout(input.prevout.txid, input.prevout.vout))) {
    throw new TxRejection('bad-txns-prevout-null');
  }
}

/**
 * bitcoind's `Consensus::CheckTxInputs` for a transaction to be included at `spendHeight`, given
 * the coin each input spends (undefined when missing). Returns the fee.
 */
export function checkTxInputs(
  tx: Transaction,
  coins: readonly (Coin | undefined)[],
  spendHeight: number,
): bigint {
  let valueIn = 0n;
  for (const coin of coins) {
    if (coin === undefined) {
      throw new TxRejection(
        'bad-txns-inputs-missingorspent',
        'CheckTxInputs: inputs missing/spent',
        'missing-inputs',
      );
    }
    if (coin.isCoinbase && spendHeight - coin.height < COINBASE_MATURITY) {
      throw new TxRejection(
        'bad-txns-premature-spend-of-coinbase',
        `tried to spend coinbase at depth ${spendHeight - coin.height}`,
      );
    }
    valueIn += coin.output.valueSat;
    if (!moneyRange(coin.output.valueSat) || !moneyRange(valueIn)) {
      throw new TxRejection('bad-txns-inputvalues-outofrange');
    }
  }
  const valueOut = tx.outputs.reduce((sum, output) => sum + output.valueSat, 0n);
  if (valueIn < valueOut) {
    throw new TxRejection(
      'bad-txns-in-belowout',
      `value in (${formatMoney(valueIn)}) < value out (${formatMoney(valueOut)})`,
    );
  }
  const fee = valueIn - valueOut;
  if (!moneyRange(fee)) throw new TxRejection('bad-txns-fee-outofrange');
  return fee;
}
