/**
 * The command line of `npm run demo` (test/src/demo/cli.ts): every flag, its default, and the
 * usage text. A bad flag or value fails naming it.
 */
import { parseArgs } from 'node:util';

/** An external bitcoind (regtest) to use instead of starting vigil-regtest. */
export interface ExternalBitcoind {
  /** `http://host:port/`, without credentials. */
  readonly url: string;
  readonly user: string;
  readonly password: string;
}

export interface DemoOptions {
  /** Payments made over the channel, alternating direction; default 200. */
  readonly payments: number;
  /** Stop monitor 2 before the payments (quorum 1 of 2), so it misses them. */
  readonly oneMonitorDown: boolean;
  /** Reorganise the breach block away, then mine the breach again on a new chain. */
  readonly reorg: boolean;
  readonly bitcoind: ExternalBitcoind | undefined;
  /** Use embedded PGlite databases even when a Postgres answers. */
  readonly pglite: boolean;
  /** Leave the databases in place for inspection. */
  readonly keep: boolean;
  readonly help: boolean;
}

export const DEFAULT_PAYMENTS = 200;

export const USAGE = `Usage: npm run demo -- [options]
       node test/dist/demo/cli.js [options]

Runs Vigil end to end on loopback: a regtest chain (vigil-regtest), two vigil-monitor processes,
each with a fresh database on the local Postgres (127.0.0.1:5432, or $VIGIL_TEST_PG_URL; when
none answers, an embedded PGlite database each), and a channel whose every update they persist.
The counterparty then broadcasts an old, revoked commitment and the monitors punish it with a
justice transaction. Exits 0 only if the victim got its funds back.

  --payments <n>               payments over the channel, both directions (default ${DEFAULT_PAYMENTS})
  --one-monitor-down           stop monitor 2 before the payments (quorum 1 of 2); monitor 1 alone
                               must catch the breach
  --reorg                      after the breach block, invalidate it and mine a different chain
                               with the breach again; the monitors follow and claim again
  --bitcoind-url <url>         use this bitcoind (regtest) instead of starting vigil-regtest; it
  --bitcoind-user <user>       needs a funded wallet (sendtoaddress pays the channel), -txindex=1
  --bitcoind-password <pw>     and -fallbackfee
  --pglite                     use embedded PGlite databases (one pglite-server process each, data
                               in the log directory) even when Postgres answers
  --keep                       leave the demo's databases for inspection (their names are printed)
  --help                       print this and exit`;

/** Parses `argv` (without the node and script paths). */
export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      payments: { type: 'string' },
      'one-monitor-down': { type: 'boolean' },
      reorg: { type: 'boolean' },
      'bitcoind-url': { type: 'string' },
      'bitcoind-user': { type: 'string' },
      'bitcoind-password': { type: 'string' },
      pglite: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  return {
    payments: paymentCount(values.payments),
    oneMonitorDown: values['one-monitor-down'] ?? false,
    reorg: values.reorg ?? false,
    bitcoind: externalBitcoind(values['bitcoind-url'], values['bitcoind-user'], values['bitcoind-password']),
    pglite: values.pglite ?? false,
    keep: values.keep ?? false,
    help: values.help ?? false,
  };
}

function paymentCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAYMENTS;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100_000) {
    throw new Error(`--payments: expected an integer in [1, 100000], got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function externalBitcoind(
  url: string | undefined,
  user: string | undefined,
  password: string | undefined,
): ExternalBitcoind | undefined {
  if (url === undefined) {
    if (user !== undefined || password !== undefined)
      throw new Error('--bitcoind-user and --bitcoind-password need --bitcoind-url');
    return undefined;
  }
  if (user === undefined || password === undefined)
    throw new Error('--bitcoind-url needs --bitcoind-user and --bitcoind-password');
  return { url, user, password };
}
