/**
 * Everything the demo runs, started in order and stopped in reverse: the chain (a vigil-regtest
 * process, or an external bitcoind) and, side by side with it, the databases (demo-databases.ts:
 * on the local Postgres, or embedded PGlite servers); two vigil-monitor processes on a database
 * each; and, in this process, the manager's side (demo-manager-side.ts: RemoteWatch, one
 * MonitorSession per monitor, its own database). Logs of the processes go to files in a fresh
 * temporary directory.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { height } from '../support/regtest/regtest-fixture.js';
import { connectExternalChain, type DemoChain, startEmbeddedChain } from './demo-chain.js';
import { chooseBackend, type DatabaseBackend, type DemoDatabase } from './demo-databases.js';
import { within } from './deadline.js';
import { type DemoManagerSide, startDemoManagerSide } from './demo-manager-side.js';
import { DemoMonitor } from './demo-monitor.js';
import type { DemoOptions } from './demo-options.js';
import { type Progress, shortHex } from './progress.js';

/** The manager's node key (the monitors' one tenant). */
const NODE_SECRET = new Uint8Array(32).fill(0xd3);
const MONITORS = 2;
const REGTEST_LOG = 'regtest.log';
/** How often the monitors poll the chain. */
const CHAIN_POLL_MS = 100;
/** How long stopping one thing may take before the demo moves on to the next (and says so). */
const STOP_TIMEOUT_MS = 20_000;
/** Each database's id: the monitors', then the manager side's. */
const DATABASE_IDS = [...Array.from({ length: MONITORS }, (_, i) => `m${i + 1}`), 'manager'];

export interface DemoStack {
  /** Where the processes' logs are. */
  readonly logDir: string;
  readonly chain: DemoChain;
  /** Where the databases are. */
  readonly backend: DatabaseBackend;
  /** The tip when the demo started: the monitors process every block after it. */
  readonly startHeight: number;
  readonly monitors: readonly DemoMonitor[];
  readonly manager: DemoManagerSide;
  /** How many monitors must persist an update before it completes. */
  readonly quorum: number;
  /**
   * Rejects when a process the demo started exits without being asked to (a crash), so the demo
   * fails at once instead of waiting for acks that cannot come.
   */
  readonly failure: Promise<never>;
  /** Stops everything, newest first; idempotent. With `keep`, the databases stay. */
  close(): Promise<void>;
}

/** Something to stop when the demo ends. */
interface Cleanup {
  /** For a message if it fails or hangs: `monitor m1`. */
  readonly what: string;
  run(): Promise<void>;
}

export async function startDemoStack(options: DemoOptions, progress: Progress): Promise<DemoStack> {
  const cleanups: Cleanup[] = [];
  let closing = false;
  const closeAll = once(() => {
    closing = true;
    return runCleanups(cleanups);
  });
  try {
    const logDir = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
    progress.step(`logs in ${logDir}`);
    const backend = await chooseBackend(options.pglite);
    progress.step(`databases: ${backend.description}`);
    const [chain, databases] = await startChainAndDatabases(options, backend, logDir, progress, cleanups);
    const startHeight = await height(chain.rpc);
    const monitors = await startMonitors(chain, databases, startHeight, logDir, cleanups);
    for (const [i, monitor] of monitors.entries()) {
      progress.step(
        `monitor ${i + 1} up (id ${shortHex(monitor.process.monitorId)}, ${monitor.address}, database ${monitor.database.name})`,
      );
    }
    const quorum = options.oneMonitorDown ? 1 : MONITORS;
    const managerDatabase = databases[MONITORS]!;
    const manager = await startDemoManagerSide({
      nodeSecret: NODE_SECRET,
      monitors: monitors.map((m) => ({ id: m.id, address: m.address, monitorId: m.monitorId })),
      quorum,
      database: managerDatabase,
    });
    // Before the monitors stop, so the sessions do not reconnect to them meanwhile.
    cleanups.push({ what: 'the manager side', run: () => manager.close() });
    progress.step(`manager side up (quorum ${quorum} of ${MONITORS}, database ${managerDatabase.name})`);
    const failure = unexpectedExit(chain, logDir, databases, monitors, () => closing);
    return { logDir, chain, backend, startHeight, monitors, manager, quorum, failure, close: closeAll };
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}

/**
 * Starts the chain and creates the databases side by side (an embedded PGlite takes seconds);
 * `cleanups` stops the one and drops the others (or, with `--keep`, leaves them in place) after
 * everything started later.
 */
async function startChainAndDatabases(
  options: DemoOptions,
  backend: DatabaseBackend,
  logDir: string,
  progress: Progress,
  cleanups: Cleanup[],
): Promise<[DemoChain, DemoDatabase[]]> {
  const [chain, databases] = await Promise.allSettled([
    startChain(options, logDir, progress),
    backend.create(DATABASE_IDS, logDir),
  ]);
  if (chain.status === 'fulfilled') cleanups.push({ what: chain.value.name, run: () => chain.value.stop() });
  if (databases.status === 'fulfilled') {
    for (const [i, database] of databases.value.entries()) {
      cleanups.push({
        what: `the database of ${DATABASE_IDS[i]}`,
        run: () => (options.keep ? database.release() : database.drop()),
      });
    }
  }
  if (chain.status === 'rejected') throw chain.reason;
  if (databases.status === 'rejected') throw databases.reason;
  if (backend.kind === 'pglite') {
    const pids = databases.value.map((d) => d.pid).join(', ');
    progress.step(`databases up: ${databases.value.length} pglite-server processes (pids ${pids})`);
  }
  return [chain.value, databases.value];
}

async function startChain(options: DemoOptions, logDir: string, progress: Progress): Promise<DemoChain> {
  if (options.bitcoind !== undefined) {
    const chain = await connectExternalChain(options.bitcoind);
    progress.step(`using bitcoind at ${chain.url} (height ${await height(chain.rpc)})`);
    return chain;
  }
  const chain = await startEmbeddedChain(join(logDir, REGTEST_LOG));
  progress.step(`regtest up at ${chain.url} (vigil-regtest process, pid ${chain.pid})`);
  return chain;
}

/** Starts the monitors side by side, one on each of the first databases; `cleanups` stops them. */
async function startMonitors(
  chain: DemoChain,
  databases: readonly DemoDatabase[],
  startHeight: number,
  logDir: string,
  cleanups: Cleanup[],
): Promise<DemoMonitor[]> {
  const started = await Promise.allSettled(
    Array.from({ length: MONITORS }, (_, i) =>
      DemoMonitor.start({
        id: `m${i + 1}`,
        chain,
        database: databases[i]!,
        managerNodeId: pubkeyFromPrivkey(NODE_SECRET),
        startHeight,
        pollIntervalMs: CHAIN_POLL_MS,
        logFile: join(logDir, `monitor-${i + 1}.log`),
      }),
    ),
  );
  for (const result of started) {
    if (result.status === 'fulfilled')
      cleanups.push({ what: `monitor ${result.value.id}`, run: () => result.value.stop() });
  }
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return started.map((r) => (r as PromiseFulfilledResult<DemoMonitor>).value);
}

/** Rejects once the chain, a database server or a running monitor exits while the demo is not closing. */
function unexpectedExit(
  chain: DemoChain,
  logDir: string,
  databases: readonly DemoDatabase[],
  monitors: readonly DemoMonitor[],
  closing: () => boolean,
): Promise<never> {
  const failure = new Promise<never>((_, reject) => {
    void chain.exited.then(() => {
      if (!closing())
        reject(new Error(`${chain.name} exited unexpectedly (log: ${join(logDir, REGTEST_LOG)})`));
    });
    for (const [i, database] of databases.entries()) {
      void database.exited.then(() => {
        if (!closing())
          reject(
            new Error(
              `the database server of ${DATABASE_IDS[i]} exited unexpectedly (log: ${database.logFile})`,
            ),
          );
      });
    }
    for (const monitor of monitors) {
      void monitor.process.exited.then(({ code, signal }) => {
        if (!closing() && monitor.running) {
          reject(
            new Error(
              `monitor ${monitor.id} exited unexpectedly (${signal ?? `code ${code}`}; log: ${monitor.logFile})`,
            ),
          );
        }
      });
    }
  });
  failure.catch(() => undefined); // Handled where the demo races it.
  return failure;
}

/**
 * Runs `cleanups` newest first, each even if an earlier one failed or did not finish within
 * STOP_TIMEOUT_MS (a stuck one must not keep the others running); rethrows the first failure.
 */
async function runCleanups(cleanups: readonly Cleanup[]): Promise<void> {
  let failure: unknown;
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await within(
        STOP_TIMEOUT_MS,
        cleanup.run(),
        () => `stopping ${cleanup.what} took over ${STOP_TIMEOUT_MS / 1000} s`,
      );
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= run());
}
