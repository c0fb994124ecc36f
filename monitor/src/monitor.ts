/**
 * A running vigil-monitor: opens and migrates its database, loads its identity and every stored
 * channel monitor, serves MonitorService and the gRPC health service, and runs maintenance. The
 * `vigil-monitor` process (cli.ts) and the tests start it the same way.
 *
 * Shutdown order (DESIGN.md: stop accepting, finish in-flight commits, then close streams): health
 * turns NOT_SERVING (health Watch calls are told, then ended) and the server stops accepting
 * connections and calls; each session handles the frames it already received, so every commit in
 * flight completes and is acked, and then ends with UNAVAILABLE; then maintenance stops and the
 * database closes. Past `shutdownGraceMs` the server is closed forcibly: an update not acked by
 * then may or may not be committed, and the tenant resends it either way (a repeat is re-acked).
 *
 * Enforcement runs when the configuration has a chain section: a BlockFollower over bitcoind's
 * JSON-RPC feeds every block to the Enforcer, polled by the EnforcementLoop. Shutdown stops the
 * loop first and waits for its poll in flight before the database closes. Without a chain
 * section the monitor stores and acks updates but watches nothing, and warns so at start-up.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { addService } from '@vigil/proto/grpc-bridge';
import { toHex } from '@vigil/shared/bytes';
import { BitcoindChainSource } from '@vigil/shared/chain/bitcoind-source';
import { BlockFollower } from '@vigil/shared/chain/block-follower';
import type { BlockRef } from '@vigil/shared/chain/chain-source';
import { type Database, openDatabase } from '@vigil/shared/db/database';
import { migrate } from '@vigil/shared/db/migrate';
import { ValidationError, VigilError } from '@vigil/shared/errors';
import type { Logger } from '@vigil/shared/log/logger';
import type { ChainConfig, MonitorConfig, TlsConfig } from './config.js';
import { Enforcer, type EnforcerDeps } from './enforce/enforcer.js';
import { EnforcementLoop } from './enforcement-loop.js';
import { ChannelBook } from './service/channel-book.js';
import { ChannelWriter } from './service/channel-writer.js';
import {
  bind,
  createServer,
  serverCredentials,
  stopAccepting,
  type TlsFiles,
} from './service/grpc-server.js';
import { HealthService } from './service/health.js';
import { defaultTenantLimits, sessionLimits } from './service/limits.js';
import { startMaintenance } from './service/maintenance.js';
import { TenantRates } from './service/rate-limit.js';
import { Session, type SessionContext } from './service/session.js';
import { SessionRegistry } from './service/session-registry.js';
import { allowlistDirectory, registryDirectory, type TenantDirectory } from './service/tenants.js';
import { loadOrCreateIdentity } from './store/identity-store.js';
import { monitorMigrations } from './store/migrations.js';

export interface MonitorOptions {
  readonly config: MonitorConfig;
  readonly log: Logger;
  /** The clock (ms since the epoch) for Hello timestamps, rates and nonce expiry. */
  readonly now?: () => number;
}

export interface RunningMonitor {
  /** The port bound (useful with port 0). */
  readonly port: number;
  /** The identity public key, 33 bytes. */
  readonly monitorId: Uint8Array;
  /** The monitor's database pool (closed by `shutdown`). */
  readonly db: Database;
  /**
   * New events were committed to `tenant`'s outbox (store/event-outbox.ts `enqueueEvent`): its
   * open sessions send them now rather than at the next session.
   */
  notifyEvents(tenant: Uint8Array): void;
  /** One maintenance run now. */
  runMaintenance(): Promise<void>;
  /**
   * The last block enforcement processed (or the tip it started from); undefined before its
   * first poll, or with no chain configured.
   */
  chainPosition(): BlockRef | undefined;
  /**
   * One poll of the chain and the enforcer's after-poll work now, after the one in flight (never
   * two at once). Rejects with the poll's error, when no chain is configured, or after shutdown.
   */
  pollChain(): Promise<void>;
  /** Graceful shutdown (see the file comment); idempotent. */
  shutdown(): Promise<void>;
}

/** A TLS file's contents; a file that cannot be read fails start-up naming its option. */
function readTlsFile(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ValidationError(option, `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readTls(tls: TlsConfig | undefined): TlsFiles | undefined {
  if (tls === undefined) return undefined;
  return {
    cert: readTlsFile(tls.certFile, 'tls.certFile'),
    key: readTlsFile(tls.keyFile, 'tls.keyFile'),
    ...(tls.clientCaFile === undefined
      ? {}
      : { clientCa: readTlsFile(tls.clientCaFile, 'tls.clientCaFile') }),
  };
}

function tenantDirectory(config: MonitorConfig, db: Database): TenantDirectory {
  const defaults = defaultTenantLimits(config.limits);
  if (config.mode === 'provider') return registryDirectory(db, defaults);
  if (config.allowlist.length === 0) {
    throw new ValidationError('allowlist', 'is empty: in self-hosted mode no manager could connect');
  }
  return allowlistDirectory(config.allowlist, defaults);
}

/**
 * The enforcer fed by a BlockFollower over the configured node (not yet polling: `start` it).
 * Its position is stored as the `enforcement` follower of the monitor's database.
 */
async function enforcementLoop(
  chain: ChainConfig,
  deps: Omit<EnforcerDeps, 'chain'>,
): Promise<EnforcementLoop> {
  const source = new BitcoindChainSource({
    url: chain.rpcUrl,
    ...(chain.auth === undefined ? {} : { auth: chain.auth }),
  });
  const enforcer = await Enforcer.load({ ...deps, chain: source });
  const follower = new BlockFollower({
    id: 'enforcement',
    source,
    sql: deps.db,
    listener: enforcer,
    ...(chain.startHeight === undefined ? {} : { startHeight: chain.startHeight }),
  });
  return new EnforcementLoop({ follower, enforcer, intervalMs: chain.pollIntervalMs, log: deps.log });
}

/** Resolves `true` if `work` settled within `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = await Promise.race([work.then(() => true), sleep(ms, false, { signal: timer.signal })]);
  timer.abort();
  return settled;
}

export async function startMonitor(options: MonitorOptions): Promise<RunningMonitor> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const db = openDatabase(config.databaseUrl, { maxConnections: config.databaseMaxConnections });
  try {
    return await serve(options, db, now);
  } catch (e) {
    await db.end({ timeout: 5 });
    log.error({ err: e }, 'start-up failed');
    throw e;
  }
}

async function serve(options: MonitorOptions, db: Database, now: () => number): Promise<RunningMonitor> {
  const { config, log } = options;
  const tenants = tenantDirectory(config, db);
  const tls = readTls(config.tls);
  await migrate(db, monitorMigrations);
  const identity = await loadOrCreateIdentity(db);
  const book = await ChannelBook.load(db);
  const sessions = new SessionRegistry();
  const notifyEvents = (tenant: Uint8Array) => sessions.notifyEvents(toHex(tenant));
  const enforcement =
    config.chain === undefined
      ? undefined
      : await enforcementLoop(config.chain, { db, book, log, notifyEvents });
  const health = new HealthService();
  const startedAtMs = BigInt(now());
  let serving = true;
  const context: SessionContext = {
    db,
    hello: { db, monitorId: identity.publicKey, tenants, windowMs: config.helloWindowMs, now },
    writer: new ChannelWriter({ db, identity, book }),
    rates: new TenantRates(now),
    limits: config.limits,
    helloTimeoutMs: config.helloTimeoutMs,
    log,
  };
  const server = createServer(config.limits.maxFrameBytes);
  addService(server, pb.MonitorService, {
    session: (call) => sessions.track(new Session(call, context)),
    getStatus: (call, callback) => {
      if (!call.request.ok) {
        return callback({ code: status.INVALID_ARGUMENT, details: `request: ${call.request.problem}` });
      }
      callback(null, {
        monitorId: identity.publicKey,
        mode: tenants.mode === 'provider' ? pb.TenantMode.PROVIDER : pb.TenantMode.SELF_HOSTED,
        startedAtMs,
        openSessions: sessions.openCount,
        serving,
        defaultLimits: sessionLimits(config.limits, defaultTenantLimits(config.limits)),
      });
    },
  });
  addService(server, pb.Health, {
    check: (call, callback) => health.check(call, callback),
    watch: (call) => health.watch(call),
  });
  const port = await bind(server, config.listen, serverCredentials(tls));
  const maintenance = startMaintenance(
    db,
    {
      intervalMs: config.compactionIntervalMs,
      retainUpdates: config.updateLogRetain,
      helloWindowMs: config.helloWindowMs,
      now,
    },
    log,
  );
  enforcement?.start();
  if (config.chain === undefined) {
    log.warn(
      'no chain configured (chain.rpcUrl, VIGIL_MONITOR_BITCOIND_URL): this monitor stores and acks updates but enforces nothing on-chain',
    );
  }
  log.info(
    {
      monitorId: toHex(identity.publicKey),
      port,
      mode: tenants.mode,
      channels: book.size,
      tls: tls !== undefined,
      // The origin only: credentials are refused in the URL, and nothing else of it is needed.
      chain: config.chain === undefined ? null : new URL(config.chain.rpcUrl).origin,
    },
    'vigil-monitor serving',
  );

  let stopping: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    serving = false;
    const enforcementStopped = enforcement?.stop();
    health.setNotServing();
    health.endWatches();
    const drained = Promise.all([sessions.drainAll(), stopAccepting(server)]);
    if (!(await within(drained, config.shutdownGraceMs))) {
      log.warn({ graceMs: config.shutdownGraceMs }, 'sessions did not drain in time; closing them');
      server.forceShutdown();
    }
    await enforcementStopped;
    await maintenance.stop();
    await db.end({ timeout: 5 });
    log.info('vigil-monitor stopped');
  };
  return {
    port,
    monitorId: identity.publicKey,
    db,
    notifyEvents,
    runMaintenance: () => maintenance.runOnce(),
    chainPosition: () => enforcement?.position,
    pollChain: () =>
      enforcement?.pollNow() ??
      Promise.reject(new VigilError('chain', 'no chain is configured: this monitor does not enforce')),
    shutdown: () => (stopping ??= shutdown()),
  };
}
