/**
 * An in-process monitor for tests: a fresh Postgres database (createTestDatabase), the monitor
 * started on 127.0.0.1 port 0 exactly as the `vigil-monitor` process starts it, its log lines
 * captured, and a restart on the same database.
 */
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { createLogger } from '@vigil/shared/log/logger';
import type { MonitorConfig } from '../../src/config.js';
import { startMonitor, type RunningMonitor } from '../../src/monitor.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/service/limits.js';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';

/** Node keys of the tenants the tests use; `stranger` is never admitted. */
export const keys = {
  alice: new Uint8Array(32).fill(0x41),
  bob: new Uint8Array(32).fill(0x42),
  stranger: new Uint8Array(32).fill(0x43),
} as const;

export const nodeIdOf = (secret: Uint8Array): Uint8Array => pubkeyFromPrivkey(secret);

export type ConfigOverrides = Partial<Omit<MonitorConfig, 'limits'>> & { readonly limits?: Partial<Limits> };

export function testConfig(databaseUrl: string, overrides: ConfigOverrides = {}): MonitorConfig {
  return {
    databaseUrl,
    databaseMaxConnections: 5,
    listen: '127.0.0.1:0',
    tls: undefined,
    mode: 'self-hosted',
    allowlist: [nodeIdOf(keys.alice), nodeIdOf(keys.bob)],
    helloWindowMs: 60_000,
    helloTimeoutMs: 10_000,
    compactionIntervalMs: 3_600_000,
    updateLogRetain: 1000,
    shutdownGraceMs: 5_000,
    logLevel: 'debug',
    chain: undefined,
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
}

export interface Harness {
  readonly database: TestDatabase;
  readonly monitor: RunningMonitor;
  readonly address: string;
  /** Every log line written so far, across restarts. */
  readonly logs: string[];
  /** Shuts the monitor down and starts it again on the same database. */
  restart(overrides?: ConfigOverrides): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(overrides: ConfigOverrides = {}): Promise<Harness> {
  const database = await createTestDatabase('vigil_monitor_test');
  const logs: string[] = [];
  const log = createLogger({
    name: 'vigil-monitor',
    level: 'debug',
    destination: { write: (line) => logs.push(line) },
  });
  const start = (o: ConfigOverrides) => startMonitor({ config: testConfig(database.url, o), log });
  let monitor = await start(overrides);
  return {
    database,
    logs,
    get monitor() {
      return monitor;
    },
    get address() {
      return `127.0.0.1:${monitor.port}`;
    },
    async restart(next = overrides) {
      await monitor.shutdown();
      monitor = await start(next);
    },
    async close() {
      await monitor.shutdown();
      await database.drop();
    },
  };
}
