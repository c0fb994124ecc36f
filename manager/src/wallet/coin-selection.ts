/**
 * Coin selection and fee for the wallet's P2WPKH spends: largest coins first (deterministic, and
 * fewest inputs, which keeps funding transactions small), a change output only when it is above
 * the P2WPKH dust limit, otherwise the remainder goes to fee.
 *
 * Weights are upper bounds (72-byte signatures), so the fee never falls short of the feerate.
 */
import { ValidationError } from '@vigil/shared/errors';
import type { OutPoint, TxOut } from '@vigil/shared/bitcoin/tx';

/** version + locktime + 1-byte input and output counts, times 4, plus the segwit marker and flag. */
const BASE_WEIGHT = (4 + 4 + 1 + 1) * 4 + 2;
/** Outpoint, empty scriptSig, sequence (41 bytes, x4) + witness: count, 72-byte sig, 33-byte key. */
const P2WPKH_INPUT_WEIGHT = 41 * 4 + (1 + 1 + 72 + 1 + 33);
/** bitcoind's dust threshold for a P2WPKH output at its default dust relay fee. */
export const P2WPKH_DUST_SAT = 294n;
const P2WPKH_SCRIPT_BYTES = 22;

export interface Coin {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
}

export interface Selection<C extends Coin> {
  readonly coins: readonly C[];
  readonly outputs: readonly TxOut[];
  /** Index of the change output in `outputs`, if there is one. */
  readonly changeIndex: number | undefined;
  readonly feeSat: bigint;
}

function outputWeight(scriptBytes: number): number {
  return (8 + 1 + scriptBytes) * 4;
}

function feeFor(weight: number, feeratePerKw: number): bigint {
  return BigInt(Math.ceil((weight * feeratePerKw) / 1000));
}

/**
 * Chooses coins paying `targets` at `feeratePerKw`, adding change to `changeScript` when worth it.
 * Throws a ValidationError when the coins cannot cover it.
 */
export function selectCoins<C extends Coin>(
  available: readonly C[],
  targets: readonly TxOut[],
  feeratePerKw: number,
  changeScript: Uint8Array,
): Selection<C> {
  if (targets.length === 0) throw new ValidationError('targets', 'expected at least one output');
  const wanted = targets.reduce((sum, o) => sum + o.valueSat, 0n);
  const baseWeight = BASE_WEIGHT + targets.reduce((w, o) => w + outputWeight(o.scriptPubKey.length), 0);
  const sorted = [...available].sort((a, b) =>
    a.valueSat === b.valueSat ? 0 : a.valueSat > b.valueSat ? -1 : 1,
  );
  const coins: C[] = [];
  let total = 0n;
  for (const coin of sorted) {
    coins.push(coin);
    total += coin.valueSat;
    const weight = baseWeight + coins.length * P2WPKH_INPUT_WEIGHT;
    const feeWithoutChange = feeFor(weight, feeratePerKw);
    if (total < wanted + feeWithoutChange) continue;
    const feeWithChange = feeFor(weight + outputWeight(P2WPKH_SCRIPT_BYTES), feeratePerKw);
    const change = total - wanted - feeWithChange;
    if (change >= P2WPKH_DUST_SAT) {
      return {
        coins,
        outputs: [...targets, { valueSat: change, scriptPubKey: changeScript }],
        changeIndex: targets.length,
        feeSat: feeWithChange,
      };
    }
    return { coins, outputs: targets, changeIndex: undefined, feeSat: total - wanted };
  }
  throw new ValidationError(
    'wallet',
    `insufficient funds: ${total} sat available, ${wanted} sat plus fee needed`,
  );
}
