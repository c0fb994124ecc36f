/**
 * One of the demo's monitors: a real `vigil-monitor run` process (monitor-process.ts), configured
 * only through its VIGIL_MONITOR_* variables, on its own database (demo-databases.ts: Postgres,
 * or PGlite with a pool of one connection), on loopback, self-hosted with the manager's node id
 * allowlisted, following the demo's chain from `startHeight` through a BroadcastRecorder (which
 * notes the transactions it submits), its log lines written to a file as well as kept for the
 * demo to read.
 */
import { fromHex, toHex } from '@vigil/shared/bytes';
import { type MonitorProcess, spawnMonitor } from '../support/monitor-process.js';
import { BroadcastRecorder, type RecordedBroadcast } from './broadcast-recorder.js';
import type { DemoChain } from './demo-chain.js';
import type { DemoDatabase } from './demo-databases.js';

export interface DemoMonitorOptions {
  /** The monitor's id in RemoteWatch (`m1`, `m2`). */
  readonly id: string;
  readonly chain: DemoChain;
  /** Its database; the stack drops it after the monitor stopped. */
  readonly database: DemoDatabase;
  /** The manager's node id, the one tenant. */
  readonly managerNodeId: Uint8Array;
  readonly startHeight: number;
  readonly pollIntervalMs: number;
  readonly logFile: string;
}

export class DemoMonitor {
  private stopped: Promise<unknown> | undefined;

  private constructor(
    readonly id: string,
    readonly database: DemoDatabase,
    readonly process: MonitorProcess,
    private readonly recorder: BroadcastRecorder,
    readonly logFile: string,
  ) {}

  /** Starts the process; resolves once it serves. */
  static async start(options: DemoMonitorOptions): Promise<DemoMonitor> {
    const { chain, database } = options;
    const recorder = await BroadcastRecorder.start(chain.url);
    try {
      const process = await spawnMonitor(
        ['run'],
        {
          VIGIL_MONITOR_DATABASE_URL: database.url,
          VIGIL_MONITOR_DATABASE_MAX_CONNECTIONS: String(database.maxConnections),
          VIGIL_MONITOR_LISTEN: '127.0.0.1:0',
          VIGIL_MONITOR_ALLOWLIST: toHex(options.managerNodeId),
          VIGIL_MONITOR_MAX_UPDATES_PER_SECOND: '1000000',
          VIGIL_MONITOR_SHUTDOWN_GRACE_MS: '1000',
          VIGIL_MONITOR_BITCOIND_URL: recorder.url,
          VIGIL_MONITOR_BITCOIND_USER: chain.credentials.user,
          VIGIL_MONITOR_BITCOIND_PASSWORD: chain.credentials.password,
          VIGIL_MONITOR_CHAIN_POLL_MS: String(options.pollIntervalMs),
          VIGIL_MONITOR_CHAIN_START_HEIGHT: String(options.startHeight),
        },
        { logFile: options.logFile },
      );
      return new DemoMonitor(options.id, database, process, recorder, options.logFile);
    } catch (e) {
      await recorder.close();
      throw e;
    }
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.process.port}`;
  }

  /** The monitor's identity key (33 bytes), which the manager pins. */
  get monitorId(): Uint8Array {
    return fromHex(this.process.monitorId);
  }

  /** Its JSON log lines so far. */
  get lines(): readonly Record<string, unknown>[] {
    return this.process.lines;
  }

  /** The transactions it submitted to the chain so far. */
  get broadcasts(): readonly RecordedBroadcast[] {
    return this.recorder.broadcasts;
  }

  get running(): boolean {
    return this.stopped === undefined;
  }

  /** Stops the process (SIGTERM, graceful), then its chain proxy; idempotent. */
  async stop(): Promise<void> {
    await (this.stopped ??= this.process.stop('SIGTERM').finally(() => this.recorder.close()));
  }
}
