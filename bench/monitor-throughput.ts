/**
 * The monitor protocol end to end on loopback (DESIGN.md "The monitor protocol"): acked updates per
 * second and ack latency (p50, p99) with 1 and 2 real `vigil-monitor` processes, against two floors
 * measured in the same run:
 * - a bare gRPC bidirectional echo stream (a server in another process echoing frames of the same
 *   size as the updates), the transport's cost without any work;
 * - single-row INSERT commits on the same Postgres, the durability cost of one commit.
 *
 * Every workload is closed-loop with the same concurrency: CHANNELS channels, each handing its next
 * update to RemoteWatch only once the previous one is durable on the quorum, as a channel frozen on
 * RemoteWatch does (DESIGN.md rule 4). An update's latency is from `updateChannel` to the
 * quorum's ack; the floors' from send to echo and from INSERT to commit. Updates are real records
 * (the test fixture's channel: signed commitments, revocations), validated on the manager's copy,
 * on each monitor, and acked with receipts the manager verifies.
 *
 * Run: `npm run bench:monitor` (Postgres at VIGIL_TEST_PG_URL or 127.0.0.1:5432). Environment:
 * BENCH_CHANNELS (default 16), BENCH_UPDATES (per channel, default 120).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { fromHex, toHex } from '@vigil/shared/bytes';
import { migrate } from '@vigil/shared/db/migrate';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import { encodeChannelMonitorUpdate } from '@vigil/shared/monitor-model/proto-codec';
import { managerMigrations } from '@vigil/manager/store/migrations';
import { EventInbox } from '@vigil/manager/watch/event-inbox';
import { MonitorSession } from '@vigil/manager/watch/monitor-session';
import { RemoteWatch } from '@vigil/manager/watch/remote-watch';
import { initOf, updatesOf } from '@vigil/test/fixtures/channel-series';
import { buildMonitor, type MonitorProcess, spawnMonitor } from '@vigil/test/support/monitor-process';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';

const CHANNELS = Number(process.env['BENCH_CHANNELS'] ?? 16);
const UPDATES = Number(process.env['BENCH_UPDATES'] ?? 120);
const NODE_SECRET = new Uint8Array(32).fill(0x5b);
const ECHO_PATH = '/vigil.bench.Echo/Echo';

interface Result {
  readonly name: string;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * Runs `lanes` closed loops of `perLane` operations each (`operate` resolves when one is done)
 * and measures operations per second and the latency of each.
 */
async function closedLoop(
  name: string,
  lanes: number,
  perLane: number,
  operate: (lane: number, index: number) => Promise<void>,
): Promise<Result> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let index = 0; index < perLane; index++) {
        const t0 = performance.now();
        await operate(lane, index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return {
    name,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

// ---- Floor 1: a bare gRPC echo stream, the server in another process.

const echoDefinition = {
  echo: {
    path: ECHO_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
} satisfies grpc.ServiceDefinition;

/** The child process's side: serve the echo stream and print the port. */
function serveEcho(): void {
  const server = new grpc.Server();
  server.addService(echoDefinition, {
    echo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (frame: Buffer) => call.write(frame));
      call.on('end', () => call.end());
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error !== null) throw error;
    process.stdout.write(`${port}\n`);
  });
}

async function echoFloor(frameBytes: number): Promise<Result> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, 'echo-server']);
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  const Client = grpc.makeGenericClientConstructor(echoDefinition, 'Echo');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const stream = client.makeBidiStreamRequest(
    ECHO_PATH,
    (b: Buffer) => b,
    (b: Buffer) => b,
  ) as grpc.ClientDuplexStream<Buffer, Buffer>;
  // Echoes come back in order on one stream: resolve the oldest waiter with each.
  const waiting: (() => void)[] = [];
  stream.on('data', () => waiting.shift()!());
  const frame = Buffer.alloc(frameBytes, 7);
  const result = await closedLoop('gRPC echo stream (floor)', CHANNELS, UPDATES, () => {
    const echoed = new Promise<void>((resolve) => waiting.push(resolve));
    stream.write(frame);
    return echoed;
  });
  const closed = new Promise((resolve) => stream.on('status', resolve));
  stream.end();
  await closed;
  client.close();
  child.kill();
  return result;
}

// ---- Floor 2: single-row INSERT commits on the same Postgres.

async function insertFloor(frameBytes: number): Promise<Result> {
  const db = await createTestDatabase('vigil_bench_insert');
  try {
    await db.sql`CREATE TABLE rows (lane integer, index integer, payload bytea, PRIMARY KEY (lane, index))`;
    const payload = new Uint8Array(frameBytes).fill(7);
    return await closedLoop('single-row INSERT commit (floor)', CHANNELS, UPDATES, async (lane, index) => {
      await db.sql`INSERT INTO rows (lane, index, payload) VALUES (${lane}, ${index}, ${payload})`;
    });
  } finally {
    await db.drop();
  }
}

// ---- The protocol: RemoteWatch and MonitorSessions to real vigil-monitor processes.

interface Monitor {
  readonly id: string;
  readonly database: TestDatabase;
  readonly process: MonitorProcess;
}

async function startMonitorProcess(id: string): Promise<Monitor> {
  const database = await createTestDatabase('vigil_bench_monitor');
  const process = await spawnMonitor([], {
    VIGIL_MONITOR_DATABASE_URL: database.url,
    VIGIL_MONITOR_LISTEN: '127.0.0.1:0',
    VIGIL_MONITOR_ALLOWLIST: toHex(pubkeyFromPrivkey(NODE_SECRET)),
    VIGIL_MONITOR_MAX_UPDATES_PER_SECOND: '1000000',
    VIGIL_MONITOR_MAX_CHANNELS_PER_TENANT: '100000',
    VIGIL_MONITOR_LOG_LEVEL: 'info',
  });
  return { id, database, process };
}

/** Channel `lane` of run `run`: distinct ids, the fixture's (valid) records. */
function channelIdOf(run: number, lane: number): Uint8Array {
  const id = new Uint8Array(32);
  id[0] = run;
  id[1] = lane;
  return id;
}

async function protocolRun(run: number, monitors: readonly Monitor[]): Promise<Result> {
  const db = await createTestDatabase('vigil_bench_manager');
  const waiters = new Map<string, () => void>();
  const key = (channelId: Uint8Array, updateId: number) => `${toHex(channelId)}:${updateId}`;
  const durable = (channelId: Uint8Array, updateId: number) =>
    new Promise<void>((resolve) => waiters.set(key(channelId, updateId), resolve));
  await migrate(db.sql, managerMigrations);
  const watch = await RemoteWatch.open({
    sql: db.sql,
    monitorIds: monitors.map((m) => m.id),
    onDurable: (channelId, updateId) => waiters.get(key(channelId, updateId))?.(),
  });
  const sessions = monitors.map((m) =>
    MonitorSession.start({
      id: m.id,
      address: `127.0.0.1:${m.process.port}`,
      monitorId: fromHex(m.process.monitorId),
      nodeSecret: NODE_SECRET,
      watch,
      events: new EventInbox(db.sql, async () => {}),
    }),
  );
  try {
    const channels = Array.from({ length: CHANNELS }, (_, lane) => channelIdOf(run, lane));
    const series: ChannelMonitorUpdate[][] = channels.map((id) => updatesOf(id, 1, UPDATES));
    // The initial watches, outside the measurement.
    await Promise.all(
      channels.map((id) => {
        const watched = durable(id, 0);
        watch.watchChannel(initOf(id));
        return watched;
      }),
    );
    return await closedLoop(
      `${monitors.length} monitor${monitors.length > 1 ? 's' : ''}, quorum ${monitors.length}`,
      CHANNELS,
      UPDATES,
      (lane, index) => {
        const update = series[lane]![index]!;
        const done = durable(update.channelId, update.updateId);
        watch.updateChannel(update);
        return done;
      },
    );
  } finally {
    for (const session of sessions) await session.close();
    await db.drop();
  }
}

function report(results: readonly Result[], floors: readonly Result[]): void {
  const line = (r: Result) =>
    `${r.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)}/s   p50 ${r.p50Ms.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms`;
  for (const r of floors) console.log(line(r));
  for (const r of results) {
    console.log(line(r));
    for (const floor of floors) {
      console.log(
        `  vs ${floor.name}: throughput x${(r.perSecond / floor.perSecond).toFixed(3)}, p50 x${(r.p50Ms / floor.p50Ms).toFixed(1)}, p99 x${(r.p99Ms / floor.p99Ms).toFixed(1)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const sample = updatesOf(channelIdOf(0, 0), 1, UPDATES).map((u) => encodeChannelMonitorUpdate(u).length);
  const frameBytes = Math.round(sample.reduce((a, b) => a + b, 0) / sample.length);
  console.log(
    `${CHANNELS} channels x ${UPDATES} updates each, closed loop; mean update ${frameBytes} B; node ${process.version}`,
  );
  await buildMonitor();
  const monitors = [await startMonitorProcess('m1'), await startMonitorProcess('m2')];
  try {
    const floors = [await echoFloor(frameBytes), await insertFloor(frameBytes)];
    const results = [await protocolRun(1, monitors.slice(0, 1)), await protocolRun(2, monitors)];
    report(results, floors);
  } finally {
    for (const m of monitors) {
      await m.process.stop();
      await m.database.drop();
    }
  }
}

if (process.argv[2] === 'echo-server') serveEcho();
else await main();
