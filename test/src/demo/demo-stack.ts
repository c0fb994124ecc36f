/**
 * Everything the demo runs, started in order and stopped in reverse: the chain (a vigil-regtest
 * process, or an external bitcoind), two vigil-monitor processes with a database each, and, in
 * this process, the manager's side (manager-side.ts: RemoteWatch, one MonitorSession per monitor,
 * its own database). Logs of the processes go to files in a fresh temporary directory.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { type ManagerSide, startManagerSide } from '../scenario/manager-side.js';
import { height } from '../support/regtest/regtest-fixture.js';
import { connectExternalChain, type DemoChain, startEmbeddedChain } from './demo-chain.js';
import { DemoMonitor } from './demo-monitor.js';
import type { DemoOptions } from './demo-options.js';
import { type Progress, shortHex } from './progress.js';

/** The manager's node key (the monitors' one tenant). */
const NODE_SECRET = new Uint8Array(32).fill(0xd3);
const MONITORS = 2;
const REGTEST_LOG = 'regtest.log';
/** How often the monitors poll the chain. */
const CHAIN_POLL_MS = 100;

export interface DemoStack {
  /** Where the processes' logs are. */
  readonly logDir: string;
  readonly chain: DemoChain;
  /** The tip when the demo started: the monitors process every block after it. */
  readonly startHeight: number;
  readonly monitors: readonly DemoMonitor[];
  readonly manager: ManagerSide;
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

export async function startDemoStack(options: DemoOptions, progress: Progress): Promise<DemoStack> {
  const cleanups: (() => Promise<void>)[] = [];
  let closing = false;
  const closeAll = once(() => {
    closing = true;
    return runCleanups(cleanups);
  });
  try {
    const logDir = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
    progress.step(`logs in ${logDir}`);
    const chain = await startChain(options, logDir, progress);
    cleanups.push(() => chain.stop());
    const startHeight = await height(chain.rpc);
    const monitors = await startMonitors(options, chain, startHeight, logDir, cleanups);
    for (const [i, monitor] of monitors.entries()) {
      progress.step(
        `monitor ${i + 1} up (id ${shortHex(monitor.process.monitorId)}, ${monitor.address}, database ${monitor.database.name})`,
      );
    }
    const quorum = options.oneMonitorDown ? 1 : MONITORS;
    const manager = await startManagerSide({
      nodeSecret: NODE_SECRET,
      monitors: monitors.map((m) => ({ id: m.id, address: m.address, monitorId: m.monitorId })),
      quorum,
      databasePrefix: 'vigil_demo_manager',
      keepDatabase: options.keep,
    });
    // Before the monitors stop, so the sessions do not reconnect to them meanwhile.
    cleanups.push(() => manager.close());
    progress.step(`manager side up (quorum ${quorum} of ${MONITORS}, database ${manager.database.name})`);
    const failure = unexpectedExit(chain, logDir, monitors, () => closing);
    return { logDir, chain, startHeight, monitors, manager, quorum, failure, close: closeAll };
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
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

/** Starts the monitors side by side; each is stopped (and its database dropped or kept) by `cleanups`. */
async function startMonitors(
  options: DemoOptions,
  chain: DemoChain,
  startHeight: number,
  logDir: string,
  cleanups: (() => Promise<void>)[],
): Promise<DemoMonitor[]> {
  const started = await Promise.allSettled(
    Array.from({ length: MONITORS }, (_, i) =>
      DemoMonitor.start({
        id: `m${i + 1}`,
        chain,
        managerNodeId: pubkeyFromPrivkey(NODE_SECRET),
        startHeight,
        pollIntervalMs: CHAIN_POLL_MS,
        logFile: join(logDir, `monitor-${i + 1}.log`),
      }),
    ),
  );
  for (const result of started) {
    if (result.status === 'fulfilled') cleanups.push(() => result.value.close(options.keep));
  }
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return started.map((r) => (r as PromiseFulfilledResult<DemoMonitor>).value);
}

/** Rejects once the chain or a running monitor exits while the demo is not closing. */
function unexpectedExit(
  chain: DemoChain,
  logDir: string,
  monitors: readonly DemoMonitor[],
  closing: () => boolean,
): Promise<never> {
  const failure = new Promise<never>((_, reject) => {
    void chain.exited.then(() => {
      if (!closing())
        reject(new Error(`${chain.name} exited unexpectedly (log: ${join(logDir, REGTEST_LOG)})`));
    });
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

/** Runs `cleanups` newest first, each even if an earlier one failed; rethrows the first failure. */
async function runCleanups(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  let failure: unknown;
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
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
