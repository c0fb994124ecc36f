/**
 * Command-line options of `vigil-regtest`, parsed into node and server options. Fee rates are given
 * in BTC/kvB as bitcoind's `-minrelaytxfee` is; every bad value fails naming its flag.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ValidationError } from '../../errors.js';
import type { RegtestNodeOptions } from './node.js';
import { RpcError } from './rpc-errors.js';
import { amountFromValue } from './rpc-params.js';
import type { RpcServerOptions } from './rpc-server.js';

/** bitcoind's regtest RPC port. */
export const DEFAULT_RPC_PORT = 18443;
const MAX_PORT = 65_535;

export const USAGE = `Usage: vigil-regtest [options]

An in-memory Bitcoin regtest node serving bitcoind's JSON-RPC on 127.0.0.1.

  --port <n>                 RPC port (default ${DEFAULT_RPC_PORT}; 0 picks a free one)
  --rpc-user <user>          basic-auth user (with --rpc-password)
  --rpc-password <password>  basic-auth password
  --cookie-file <path>       write a bitcoind-style cookie there (the default when no user is
                             given: <tmpdir>/vigil-regtest/.cookie)
  --initial-blocks <n>       blocks mined to the faucet at start (default 101)
  --min-relay-fee <btc/kvB>  minimum relay feerate (default 0.00001)
  --mempool-min-fee <btc/kvB>  start with the mempool minimum raised to this feerate
  --fee-estimate-floor <btc/kvB>  lowest estimatesmartfee result (default: the relay minimum)
  --full-rbf                 replace conflicting transactions without BIP 125 signalling
  --mock-time <unix>         start with the clock mocked at this time
  --max-body-bytes <n>       largest request body accepted (default 33554432)
  --help                     print this and exit`;

export interface CliOptions {
  readonly help: boolean;
  readonly node: RegtestNodeOptions;
  readonly rpc: RpcServerOptions;
}

/** Parses `argv` (without the node and script paths). */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'rpc-user': { type: 'string' },
        'rpc-password': { type: 'string' },
        'cookie-file': { type: 'string' },
        'initial-blocks': { type: 'string' },
        'min-relay-fee': { type: 'string' },
        'mempool-min-fee': { type: 'string' },
        'fee-estimate-floor': { type: 'string' },
        'full-rbf': { type: 'boolean' },
        'mock-time': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    throw new ValidationError('arguments', e instanceof Error ? e.message : String(e));
  }
  const user = values['rpc-user'];
  const password = values['rpc-password'];
  const cookieFile =
    values['cookie-file'] ?? (user === undefined ? join(tmpdir(), 'vigil-regtest', '.cookie') : undefined);
  return {
    help: values.help ?? false,
    node: withoutUndefined({
      initialBlocks: integer(values['initial-blocks'], '--initial-blocks'),
      minRelayFeeRate: feeRate(values['min-relay-fee'], '--min-relay-fee'),
      mempoolMinFeeRate: feeRate(values['mempool-min-fee'], '--mempool-min-fee'),
      feeEstimateFloor: feeRate(values['fee-estimate-floor'], '--fee-estimate-floor'),
      fullRbf: values['full-rbf'],
      mockTime: integer(values['mock-time'], '--mock-time'),
    }),
    rpc: withoutUndefined({
      port: integer(values.port, '--port', MAX_PORT) ?? DEFAULT_RPC_PORT,
      maxBodyBytes: integer(values['max-body-bytes'], '--max-body-bytes'),
      auth: withoutUndefined({ user, password, cookieFile }),
    }),
  };
}

function integer(text: string | undefined, flag: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new ValidationError(flag, `expected an integer in [0, ${max}], got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** A BTC/kvB feerate as sat/kvB. */
function feeRate(text: string | undefined, flag: string): bigint | undefined {
  if (text === undefined) return undefined;
  try {
    return amountFromValue(text);
  } catch (e) {
    if (e instanceof RpcError)
      throw new ValidationError(flag, `expected a feerate in BTC/kvB, got ${JSON.stringify(text)}`);
    throw e;
  }
}

/** Drops undefined fields, as exactOptionalPropertyTypes wants optional options absent, not undefined. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
