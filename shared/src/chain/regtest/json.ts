/**
 * JSON text as bitcoind's UniValue writes it, for RPC replies: amounts are exact decimal literals
 * with eight digits after the point (`50.00000000`, never a rounded binary float), other
 * non-integers get 16 significant digits (`4.656542373906925e-10`), and object keys keep their
 * insertion order. Fields whose value is `undefined` are left out.
 */
import { COIN } from './money.js';

/** An amount in satoshis to be written in BTC (`ValueFromAmount`). Also used for BTC/kvB feerates. */
export class BtcAmount {
  constructor(readonly sat: bigint) {}
}

export function btc(sat: bigint): BtcAmount {
  return new BtcAmount(sat);
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | BtcAmount
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** Serializes `value`; `indent` > 0 pretty-prints like UniValue's `write(indent)`. */
export function stringifyJson(value: JsonValue, indent = 0, depth = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof BtcAmount) return formatBtc(value.sat);
  const pad = indent > 0 ? `\n${' '.repeat(indent * (depth + 1))}` : '';
  const close = indent > 0 ? `\n${' '.repeat(indent * depth)}` : '';
  const separator = indent > 0 ? ': ' : ':';
  if (isJsonArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => pad + stringifyJson(v, indent, depth + 1)).join(',')}${close}]`;
  }
  const fields = Object.entries(value).filter(([, v]) => v !== undefined);
  if (fields.length === 0) return '{}';
  const body = fields.map(
    ([k, v]) => `${pad}${JSON.stringify(k)}${separator}${stringifyJson(v!, indent, depth + 1)}`,
  );
  return `{${body.join(',')}${close}}`;
}

function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}

function formatBtc(sat: bigint): string {
  const sign = sat < 0n ? '-' : '';
  const abs = sat < 0n ? -sat : sat;
  return `${sign}${abs / COIN}.${(abs % COIN).toString().padStart(8, '0')}`;
}

/** Integers as they are; other numbers as C++ `setprecision(16)` prints them (like `%.16g`). */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const [mantissa, exponentText] = n.toExponential(15).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const digits = Math.abs(exponent).toString().padStart(2, '0');
    return `${trimZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return trimZeros(n.toFixed(15 - exponent));
}

function trimZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}
