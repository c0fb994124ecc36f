/**
 * RPC parameters the way bitcoind's RPCHelpMan handles them: positional or named (`{"height": 1}`,
 * aliases like `verbosity|verbose`), a usage error (-1) for a wrong count, one "Wrong type passed"
 * error (-3) listing every mismatched position, and readers that parse hashes (`ParseHashV`),
 * amounts (`AmountFromValue`, exact decimal) and raw transactions with bitcoind's messages.
 */
import { decodeTx, type Transaction } from '../../bitcoin/tx.js';
import { fromHex } from '../../bytes.js';
import { DecodeError } from '../../errors.js';
import { stringifyJson, type JsonValue } from './json.js';
import { moneyRange } from './money.js';
import { flipHashHex } from './prepared-tx.js';
import {
  RPC_DESERIALIZATION_ERROR,
  RPC_INVALID_PARAMETER,
  RPC_MISC_ERROR,
  RPC_TYPE_ERROR,
  RpcError,
} from './rpc-errors.js';

/** `any` skips the type check (bitcoind's `skip_type_check`, e.g. verbosity given as bool or number). */
export type ParamType = 'number' | 'string' | 'bool' | 'amount' | 'array' | 'any';

export interface ParamSpec {
  /** The name, with aliases after `|` (`verbosity|verbose`). */
  readonly name: string;
  readonly type: ParamType;
  readonly required?: boolean;
}

const HASH_HEX_LENGTH = 64;
const HEX_RE = /^[0-9a-fA-F]*$/;
const DECIMALS = 8;
/** How much of a bad value an error message repeats. */
const MAX_ECHO = 100;

/** bitcoind's name for the JSON type of `value`. */
function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matches(type: ParamType, value: unknown): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'amount':
      return typeof value === 'number' || typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === type;
  }
}

/** The first line of bitcoind's help: `getblock "blockhash" ( verbosity )`. */
export function usage(method: string, specs: readonly ParamSpec[]): string {
  const shown = specs.map((s) => {
    const name = s.name.split('|')[0]!;
    return s.type === 'string' ? `"${name}"` : name;
  });
  const required = shown.filter((_, i) => specs[i]!.required);
  const optional = shown.filter((_, i) => !specs[i]!.required);
  return [method, ...required, ...(optional.length > 0 ? [`( ${optional.join(' ')} )`] : [])].join(' ');
}

/** Binds the request's `params` (array, object or absent) to `specs`, checking count and types. */
export function bindParams(method: string, specs: readonly ParamSpec[], params: unknown): RpcArgs {
  const values = Array.isArray(params) ? [...(params as unknown[])] : namedToPositional(specs, params);
  if (values.length > specs.length || specs.some((s, i) => s.required && values[i] === undefined)) {
    throw new RpcError(RPC_MISC_ERROR, usage(method, specs));
  }
  const mismatches: Record<string, JsonValue> = {};
  specs.forEach((spec, i) => {
    const value = values[i];
    const unset = value === undefined || (value === null && !spec.required);
    if (!unset && !matches(spec.type, value)) {
      const expected = spec.type === 'amount' ? 'number or string' : spec.type;
      mismatches[`Position ${i + 1} (${spec.name})`] =
        `JSON value of type ${jsonTypeName(value)} is not of expected type ${expected}`;
    }
  });
  if (Object.keys(mismatches).length > 0) {
    throw new RpcError(RPC_TYPE_ERROR, `Wrong type passed:\n${stringifyJson(mismatches, 4)}`);
  }
  return new RpcArgs(values);
}

function namedToPositional(specs: readonly ParamSpec[], params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    const index = specs.findIndex((s) => s.name.split('|').includes(key));
    if (index === -1) throw new RpcError(RPC_INVALID_PARAMETER, `Unknown named parameter ${key}`);
    values[index] = value;
  }
  return values;
}

/** Type-checked parameters, read with bitcoind's parsing rules. */
export class RpcArgs {
  constructor(private readonly values: readonly unknown[]) {}

  /** True when parameter `i` was given and is not null. */
  isSet(i: number): boolean {
    return this.values[i] !== undefined && this.values[i] !== null;
  }

  int(i: number, fallback?: number): number {
    if (!this.isSet(i)) return fallback!;
    const value = this.values[i] as number;
    // UniValue::getInt refuses anything that is not an integer literal.
    if (!Number.isSafeInteger(value)) throw new RpcError(RPC_MISC_ERROR, 'JSON integer out of range');
    return value;
  }

  bool(i: number, fallback: boolean): boolean {
    return this.isSet(i) ? (this.values[i] as boolean) : fallback;
  }

  string(i: number): string {
    return this.values[i] as string;
  }

  array(i: number): readonly unknown[] {
    return this.values[i] as unknown[];
  }

  raw(i: number): unknown {
    return this.values[i];
  }

  /** `ParseHashV`: 64 hex digits, display order; returns the internal-order key. */
  hash(i: number, name: string): string {
    return parseHash(this.values[i], name);
  }

  /** `AmountFromValue`: BTC as a number or string, at most 8 decimals, within MAX_MONEY; returns sat. */
  amount(i: number, fallback?: bigint): bigint {
    if (!this.isSet(i)) return fallback!;
    return amountFromValue(this.values[i]);
  }

  /** A bool or an integer (bitcoind's `verbose`/`verbosity` arguments). */
  verbosity(i: number, fallback: number): number {
    if (!this.isSet(i)) return fallback;
    const value = this.values[i];
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value !== 'number') {
      throw new RpcError(
        RPC_TYPE_ERROR,
        `JSON value of type ${jsonTypeName(value)} is not of expected type number`,
      );
    }
    return this.int(i);
  }
}

export function parseHash(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new RpcError(
      RPC_TYPE_ERROR,
      `JSON value of type ${jsonTypeName(value)} is not of expected type string`,
    );
  }
  const shown = value.slice(0, MAX_ECHO);
  if (value.length !== HASH_HEX_LENGTH) {
    throw new RpcError(
      RPC_INVALID_PARAMETER,
      `${name} must be of length ${HASH_HEX_LENGTH} (not ${value.length}, for '${shown}')`,
    );
  }
  if (!HEX_RE.test(value))
    throw new RpcError(RPC_INVALID_PARAMETER, `${name} must be hexadecimal string (not '${shown}')`);
  return flipHashHex(value.toLowerCase());
}

export function amountFromValue(value: unknown): bigint {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new RpcError(RPC_TYPE_ERROR, 'Amount is not a number or string');
  }
  const sat = parseFixedPoint(String(value));
  if (sat === undefined) throw new RpcError(RPC_TYPE_ERROR, 'Invalid amount');
  if (!moneyRange(sat)) throw new RpcError(RPC_TYPE_ERROR, 'Amount out of range');
  return sat;
}

/** `ParseFixedPoint(text, 8)`: exact, accepting an exponent; undefined when it has more than 8 decimals. */
function parseFixedPoint(text: string): bigint | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (match === null) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const shift = DECIMALS + Number(exponentText) - fraction.length;
  if (Math.abs(shift) > 40) return undefined;
  let value = BigInt(`${whole}${fraction}`);
  if (shift >= 0) value *= 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    if (value % divisor !== 0n) return undefined;
    value /= divisor;
  }
  return sign === '-' ? -value : value;
}

/** Decodes a hex transaction as `DecodeHexTx`, failing with bitcoind's -22 message. */
export function decodeRawTransaction(hex: unknown): Transaction {
  try {
    if (typeof hex !== 'string') throw new DecodeError('hexstring', 'not a string');
    return decodeTx(fromHex(hex, 'hexstring'));
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw new RpcError(
      RPC_DESERIALIZATION_ERROR,
      'TX decode failed. Make sure the tx has at least one input.',
    );
  }
}
