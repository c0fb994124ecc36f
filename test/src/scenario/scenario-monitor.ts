/**
 * One monitor of an enforcement scenario: a real vigil-monitor started in-process (`startMonitor`,
 * as the `vigil-monitor` process starts it, configured through the same environment variables)
 * on its own fresh Postgres database, on loopback, self-hosted with the manager's node id
 * allowlisted, and following the regtest node over its JSON-RPC from `startHeight`.
 */
import { toHex } from '@vigil/shared/bytes';
import { createLogger } from '@vigil/shared/log/logger';
import { parseConfig } from '@vigil/monitor/config';
import { type RunningMonitor, startMonitor } from '@vigil/monitor/monitor';
import type { TestNode } from '../support/regtest/regtest-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

export interface ScenarioMonitorOptions {
  /** The monitor's id in RemoteWatch (`m1`, `m2`, ...). */
  readonly id: string;
  readonly node: TestNode;
  /** The manager's node id, the one tenant. */
  readonly managerNodeId: Uint8Array;
  /** The first block the monitor processes (its chain position is stored from then on). */
  readonly startHeight: number;
  readonly pollIntervalMs: number;
}

export interface ScenarioMonitor {
  readonly id: string;
  readonly database: TestDatabase;
  readonly running: RunningMonitor;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Every log line (pino JSON) the monitor wrote. */
  readonly logs: string[];
  /** Shuts the monitor down and drops its database. */
  stop(): Promise<void>;
}

export async function startScenarioMonitor(options: ScenarioMonitorOptions): Promise<ScenarioMonitor> {
  const { regtest } = options.node;
  const database = await createTestDatabase('vigil_scenario_monitor');
  const logs: string[] = [];
  const log = createLogger({
    name: 'vigil-monitor',
    level: 'debug',
    destination: { write: (l) => logs.push(l) },
  });
  const config = parseConfig(undefined, 'environment', {
    VIGIL_MONITOR_DATABASE_URL: database.url,
    VIGIL_MONITOR_LISTEN: '127.0.0.1:0',
    VIGIL_MONITOR_ALLOWLIST: toHex(options.managerNodeId),
    VIGIL_MONITOR_MAX_UPDATES_PER_SECOND: '1000000',
    VIGIL_MONITOR_BITCOIND_URL: regtest.url,
    VIGIL_MONITOR_BITCOIND_USER: regtest.credentials.user,
    VIGIL_MONITOR_BITCOIND_PASSWORD: regtest.credentials.password,
    VIGIL_MONITOR_CHAIN_POLL_MS: String(options.pollIntervalMs),
    VIGIL_MONITOR_CHAIN_START_HEIGHT: String(options.startHeight),
  });
  const running = await startMonitor({ config, log }).catch(async (e: unknown) => {
    await database.drop();
    throw e;
  });
  return {
    id: options.id,
    database,
    running,
    address: `127.0.0.1:${running.port}`,
    logs,
    async stop() {
      await running.shutdown();
      await database.drop();
    },
  };
}
