/**
 * Amounts and fee rates as bitcoind computes and prints them: MAX_MONEY and `MoneyRange`, a fee
 * rate in sat/kvB applied to a size with `CFeeRate::GetFee` (rounded up), and `FormatMoney` /
 * `CFeeRate::ToString` for the text of reject reasons.
 */

/** Satoshis in one bitcoin. */
export const COIN = 100_000_000n;
/** bitcoind's MAX_MONEY: no amount, and no sum of amounts, may exceed it. */
export const MAX_MONEY = 21_000_000n * COIN;

/** True when `amountSat` is in [0, MAX_MONEY] (bitcoind's MoneyRange). */
export function moneyRange(amountSat: bigint): boolean {
  return amountSat >= 0n && amountSat <= MAX_MONEY;
}

/** `CFeeRate::GetFee`: the fee at `satPerKvb` for `vsize` virtual bytes, rounded up. */
export function feeForVsize(satPerKvb: bigint, vsize: number): bigint {
  const product = satPerKvb * BigInt(vsize);
  return product <= 0n ? product / 1000n : (product + 999n) / 1000n;
}

/** The fee rate in sat/kvB that `feeSat` over `vsize` pays, truncated (`CFeeRate(fee, size)`). */
export function feeRateOf(feeSat: bigint, vsize: number): bigint {
  return vsize > 0 ? (feeSat * 1000n) / BigInt(vsize) : 0n;
}

/** `FormatMoney`: BTC with trailing zeros trimmed to at least two decimals, e.g. `0.0001` or `50.00`. */
export function formatMoney(amountSat: bigint): string {
  const sign = amountSat < 0n ? '-' : '';
  const abs = amountSat < 0n ? -amountSat : amountSat;
  const fraction = (abs % COIN)
    .toString()
    .padStart(8, '0')
    .replace(/0{1,6}$/, '');
  return `${sign}${abs / COIN}.${fraction.padEnd(2, '0')}`;
}

/** `CFeeRate::ToString()`: `0.00001000 BTC/kvB`. */
export function formatFeeRate(satPerKvb: bigint): string {
  return `${satPerKvb / COIN}.${(satPerKvb % COIN).toString().padStart(8, '0')} BTC/kvB`;
}
