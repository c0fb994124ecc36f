/**
 * Time from a breach block's arrival to the justice broadcast (DESIGN.md "Enforcement"), end to
 * end on loopback: a vigil-regtest node (in-process, JSON-RPC over 127.0.0.1) and a vigil-monitor
 * started with `startMonitor` exactly as the `vigil-monitor` process starts it, its chain section
 * pointing at the node, fed over its real gRPC protocol (Hello, WatchChannel, Updates, acks).
 * Every breach is on its own channel: funded on the node's chain, watched (the fixture's init and
 * first round, which revokes the counterparty's commitment 0), then that revoked commitment is
 * broadcast and mined; the monitor must take every output with a justice transaction.
 *
 * Latency: from `generatetoaddress` returning the breach block to the monitor's `claim broadcast`
 * log line, written as soon as `sendrawtransaction` has returned, i.e. the node accepted the
 * justice (each one is then checked in the node's mempool). Two series of BREACHES each:
 * - direct: the monitor's poll is asked for (`pollChain`) as soon as the block is mined, so the
 *   figure is the monitor's own work: the follower's poll (getTip, getblockhash, getblock, decode,
 *   blockConnected, COMMIT), then afterPoll up to the broadcast (loadSpends, the channel's
 *   records, classification, lockdown, estimatesmartfee, building and signing, sendrawtransaction);
 * - polled: the monitor's own loop at the default `chain.pollIntervalMs` (1,000 ms), the block
 *   mined at a random phase of it, so the wait for the next poll comes on top.
 * The monitor's RPCs are timed by wrapping BitcoindChainSource's methods (its chain source), which
 * splits each breach into the wait for the poll that finds the block (until its getTip), the RPC
 * round trips (the node's own work included, e.g. verifying the justice's scripts), and the rest:
 * Postgres and the monitor's CPU. Before each direct breach the monitor is also polled with no new
 * block (median of IDLE_POLLS): since stored spends are never pruned, every poll resolves each
 * earlier breached channel again, and the slope of that cost over the breaches is printed.
 *
 * Run: `npm run bench:breach` (Postgres at VIGIL_TEST_PG_URL or 127.0.0.1:5432). Environment:
 * BENCH_BREACHES (per series, default 20).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { createClient } from '@vigil/proto/grpc-bridge';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { type Transaction, txid, txidHex } from '@vigil/shared/bitcoin/tx';
import { toHex } from '@vigil/shared/bytes';
import { BitcoindChainSource } from '@vigil/shared/chain/bitcoind-source';
import { fundingOutput } from '@vigil/shared/ln/funding';
import { createLogger } from '@vigil/shared/log/logger';
import { signHello } from '@vigil/shared/monitor-model/hello';
import {
  toProtoChannelMonitorInit,
  toProtoChannelMonitorUpdate,
} from '@vigil/shared/monitor-model/proto-codec';
import type { MonitorConfig } from '@vigil/monitor/config';
import { type RunningMonitor, startMonitor } from '@vigil/monitor/monitor';
import { DEFAULT_LIMITS } from '@vigil/monitor/service/limits';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { fund, mine, startTestNode, type TestNode } from '@vigil/test/support/regtest/regtest-fixture';
import { signSpend, testKey, txHex } from '@vigil/test/support/regtest/test-wallet';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';

const BREACHES = Number(process.env['BENCH_BREACHES'] ?? 20);
/** The default of `chain.pollIntervalMs` (config.ts). */
const POLL_INTERVAL_MS = 1_000;
const NODE_SECRET = new Uint8Array(32).fill(0x5c);
const FUNDING_SAT = 1_000_000n;
const BALANCES = { toHolderMsat: 600_000_000n, toCounterpartyMsat: 400_000_000n };
const BROADCAST_TIMEOUT_MS = 20_000;
const IDLE_POLLS = 3;

// --- What the monitor does, and when --------------------------------------------------------------

/** A call of the monitor's chain source. */
interface RpcCall {
  readonly method: string;
  readonly start: number;
  readonly end: number;
}

const rpcCalls: RpcCall[] = [];

/** Times every call of every BitcoindChainSource (only the monitor's exists in this process). */
function instrumentChainSource(): void {
  const proto = BitcoindChainSource.prototype as unknown as Record<
    string,
    (...a: unknown[]) => Promise<unknown>
  >;
  for (const method of ['getTip', 'getBlockHash', 'getBlock', 'estimateFeeratePerKw', 'broadcast']) {
    const original = proto[method]!;
    proto[method] = async function (this: unknown, ...args: unknown[]) {
      const start = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        rpcCalls.push({ method, start, end: performance.now() });
      }
    };
  }
}

/** The monitor's log lines that matter here, with when they were written. */
interface LogLine {
  readonly at: number;
  readonly msg: string;
  readonly channelId?: string;
  readonly txid?: string;
}

const logLines: LogLine[] = [];
const broadcastWaiters = new Map<string, (line: LogLine) => void>();
const WANTED = ['"claim broadcast"', '"chain followed"', '"watched outpoint spent"'];

const monitorLog = createLogger({
  name: 'vigil-monitor',
  level: 'debug',
  destination: {
    write(raw: string) {
      const at = performance.now();
      if (!WANTED.some((w) => raw.includes(w))) return;
      const { msg, channelId, txid } = JSON.parse(raw) as { msg: string; channelId?: string; txid?: string };
      const line = {
        at,
        msg,
        ...(channelId === undefined ? {} : { channelId }),
        ...(txid === undefined ? {} : { txid }),
      };
      logLines.push(line);
      if (msg === 'claim broadcast' && channelId !== undefined) broadcastWaiters.get(channelId)?.(line);
    },
  },
});

/** The first `claim broadcast` of `channelId` from now on. */
function nextBroadcast(channelId: Uint8Array): Promise<LogLine> {
  const key = toHex(channelId);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no justice for ${key} in time`)), BROADCAST_TIMEOUT_MS);
    broadcastWaiters.set(key, (line) => {
      clearTimeout(timer);
      broadcastWaiters.delete(key);
      resolve(line);
    });
  });
}

// --- The monitor and its tenant ---------------------------------------------------------------------

function monitorConfig(node: TestNode, database: TestDatabase, pollIntervalMs: number): MonitorConfig {
  return {
    databaseUrl: database.url,
    databaseMaxConnections: 5,
    listen: '127.0.0.1:0',
    tls: undefined,
    mode: 'self-hosted',
    allowlist: [pubkeyFromPrivkey(NODE_SECRET)],
    limits: DEFAULT_LIMITS,
    helloWindowMs: 60_000,
    helloTimeoutMs: 10_000,
    compactionIntervalMs: 3_600_000,
    updateLogRetain: 1_000,
    shutdownGraceMs: 5_000,
    logLevel: 'debug',
    chain: { rpcUrl: node.regtest.url, auth: node.regtest.credentials, pollIntervalMs },
  };
}

type ClientFrame = pb.MessageInitShape<typeof pb.ClientFrameSchema>;

/** Watches every channel over one session, each acked PERSISTED before the next frame. */
async function watchChannels(monitor: RunningMonitor, channels: readonly Channel[]): Promise<void> {
  const client = createClient(
    pb.MonitorService,
    `127.0.0.1:${monitor.port}`,
    grpc.credentials.createInsecure(),
  );
  const call = client.session();
  const frames: pb.ServerFrame[] = [];
  let wake: (() => void) | undefined;
  call.on('data', (frame: pb.ServerFrame) => {
    frames.push(frame);
    wake?.();
  });
  call.on('error', () => {});
  const next = async (): Promise<pb.ServerFrame> => {
    while (frames.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return frames.shift()!;
  };
  const send = async (frame: ClientFrame, what: string) => {
    call.write(frame);
    const reply = (await next()).frame;
    if (reply.case !== 'updateAck' || reply.value.status !== pb.UpdateStatus.PERSISTED)
      throw new Error(
        `${what}: ${JSON.stringify(reply.case)} ${reply.case === 'updateAck' ? reply.value.detail : ''}`,
      );
  };
  const hello = signHello(
    NODE_SECRET,
    monitor.monitorId,
    BigInt(Date.now()),
    new Uint8Array(randomBytes(32)),
  );
  call.write({ frame: { case: 'hello', value: hello } });
  if ((await next()).frame.case !== 'welcome') throw new Error('no Welcome');
  for (const { fixture, channelId } of channels) {
    const init = toProtoChannelMonitorInit({ ...fixture.init(BALANCES), channelId });
    await send(
      { frame: { case: 'watchChannel', value: { monitor: { case: 'init', value: init } } } },
      'watch',
    );
    for (const update of fixture.firstRound(BALANCES)) {
      const value = toProtoChannelMonitorUpdate({ ...update, channelId });
      await send({ frame: { case: 'update', value } }, `update ${update.updateId}`);
    }
  }
  call.end();
  client.channel.close();
}

// --- Channels and breaches --------------------------------------------------------------------------

interface Channel {
  readonly fixture: ChannelFixture;
  readonly channelId: Uint8Array;
  /** The counterparty's revoked commitment 0, signed. */
  readonly breach: Transaction;
}

/** `count` channels funded by one transaction, confirmed. */
async function fundChannels(node: TestNode, count: number): Promise<Channel[]> {
  const { holderPubkeys, counterpartyPubkeys } = new ChannelFixture().parameters;
  const coin = await fund(node.rpc, testKey('bench breach funder'), BigInt(count) * FUNDING_SAT + 50_000n);
  const output = fundingOutput(holderPubkeys.fundingPubkey, counterpartyPubkeys.fundingPubkey, FUNDING_SAT);
  const fundingTx = signSpend(
    [coin],
    Array.from({ length: count }, () => output),
  );
  await node.rpc.call('sendrawtransaction', txHex(fundingTx));
  await mine(node.rpc, 1);
  return Array.from({ length: count }, (_, vout) => {
    const fixture = new ChannelFixture({
      fundingOutpoint: { txid: txid(fundingTx), vout },
      fundingValueSat: FUNDING_SAT,
    });
    const channelId = Uint8Array.of(0xb0, vout, ...new Uint8Array(30));
    return { fixture, channelId, breach: fixture.signedCounterpartyCommitmentTx(0, BALANCES) };
  });
}

/** One breach, timed from the block. */
interface Sample {
  /** generatetoaddress returned → justice accepted (the `claim broadcast` line). */
  readonly latencyMs: number;
  /** → the getTip of the poll that found the block. */
  readonly waitMs: number;
  /** That poll's getTip → the follower's poll done (`chain followed`). */
  readonly followMs: number;
  /** → justice accepted: afterPoll up to the broadcast. */
  readonly claimMs: number;
  /** RPC time from the poll's getTip to the broadcast, by method. */
  readonly rpcMs: Record<string, number>;
}

/** The sample of the breach mined at `t0`, whose justice was accepted at `accepted.at`. */
function sampleOf(t0: number, accepted: LogLine): Sample {
  const firstGetBlock = rpcCalls.find((c) => c.method === 'getBlock' && c.start >= t0);
  const pollStart = rpcCalls
    .filter((c) => c.method === 'getTip' && c.start <= firstGetBlock!.start)
    .at(-1)!.start;
  const followed = logLines.find((l) => l.msg === 'chain followed' && l.at >= pollStart)!.at;
  const rpcMs: Record<string, number> = {};
  for (const c of rpcCalls) {
    if (c.start >= pollStart && c.end <= accepted.at)
      rpcMs[c.method] = (rpcMs[c.method] ?? 0) + c.end - c.start;
  }
  return {
    latencyMs: accepted.at - t0,
    waitMs: pollStart - t0,
    followMs: followed - pollStart,
    claimMs: accepted.at - followed,
    rpcMs,
  };
}

/** The justice is in the node's mempool and spends the breach. */
async function checkJustice(node: TestNode, channel: Channel, accepted: LogLine): Promise<void> {
  const mempool = await node.rpc.call<string[]>('getrawmempool');
  const raw = await node.rpc.call<{ vin: { txid: string }[] }>('getrawtransaction', accepted.txid, 1);
  if (!mempool.includes(accepted.txid!) || !raw.vin.every((i) => i.txid === txidHex(channel.breach)))
    throw new Error(`the justice of ${toHex(channel.channelId)} is not in the mempool spending the breach`);
}

/**
 * The direct series, and before each breach the median of IDLE_POLLS polls with no new block: what
 * every poll costs with that many earlier breaches stored.
 */
async function directSeries(
  node: TestNode,
  monitor: RunningMonitor,
  channels: readonly Channel[],
): Promise<{ samples: Sample[]; idlePollMs: number[] }> {
  const samples: Sample[] = [];
  const idlePollMs: number[] = [];
  for (const channel of channels) {
    await node.rpc.call('sendrawtransaction', txHex(channel.breach));
    const idle: number[] = [];
    for (let i = 0; i < IDLE_POLLS; i++) {
      const start = performance.now();
      await monitor.pollChain();
      idle.push(performance.now() - start);
    }
    idlePollMs.push(percentile(idle, 0.5));
    const broadcast = nextBroadcast(channel.channelId);
    await mine(node.rpc, 1);
    const t0 = performance.now();
    await monitor.pollChain();
    const accepted = await broadcast;
    samples.push(sampleOf(t0, accepted));
    await checkJustice(node, channel, accepted);
  }
  return { samples, idlePollMs };
}

async function polledSeries(
  node: TestNode,
  monitor: RunningMonitor,
  channels: readonly Channel[],
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const channel of channels) {
    await node.rpc.call('sendrawtransaction', txHex(channel.breach));
    await sleep(Math.random() * POLL_INTERVAL_MS);
    const broadcast = nextBroadcast(channel.channelId);
    await mine(node.rpc, 1);
    const t0 = performance.now();
    const accepted = await broadcast;
    samples.push(sampleOf(t0, accepted));
    await checkJustice(node, channel, accepted);
  }
  return samples;
}

// --- Report ---------------------------------------------------------------------------------------

/** Nearest rank: with 20 samples, p99 is the largest. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function report(name: string, samples: readonly Sample[]): void {
  const ms = (v: number) => `${v.toFixed(1).padStart(7)} ms`;
  const stats = (values: readonly number[]) =>
    `p50 ${ms(percentile(values, 0.5))}  p99 ${ms(percentile(values, 0.99))}  max ${ms(Math.max(...values))}`;
  console.log(`\n${name}: ${samples.length} breaches, block mined → justice accepted by the node`);
  console.log(`  latency                              ${stats(samples.map((s) => s.latencyMs))}`);
  console.log(`  wait for the poll (to its getTip)    ${stats(samples.map((s) => s.waitMs))}`);
  console.log(`  follower poll (to its COMMIT)        ${stats(samples.map((s) => s.followMs))}`);
  console.log(`  afterPoll, up to the broadcast       ${stats(samples.map((s) => s.claimMs))}`);
  const methods = [...new Set(samples.flatMap((s) => Object.keys(s.rpcMs)))];
  const rpc = samples.map((s) => Object.values(s.rpcMs).reduce((a, b) => a + b, 0));
  console.log(`  RPC round trips in the poll          ${stats(rpc)}`);
  for (const method of methods) {
    console.log(`    ${method.padEnd(33)}  ${stats(samples.map((s) => s.rpcMs[method] ?? 0))}`);
  }
  const rest = samples.map((s, i) => s.followMs + s.claimMs - rpc[i]!);
  console.log(`  the rest: Postgres and CPU           ${stats(rest)}`);
  console.log(`  afterPoll up to the broadcast, breach by breach (ms):`);
  console.log(`    ${samples.map((s) => s.claimMs.toFixed(0)).join(' ')}`);
}

async function main(): Promise<void> {
  instrumentChainSource();
  const node = await startTestNode();
  const database = await createTestDatabase('vigil_bench_breach');
  let monitor = await startMonitor({ config: monitorConfig(node, database, 3_600_000), log: monitorLog });
  try {
    const channels = await fundChannels(node, 2 * BREACHES);
    await monitor.pollChain();
    await watchChannels(monitor, channels);
    console.log(
      `${channels.length} channels funded on regtest and watched over gRPC; node ${process.version}`,
    );

    // Direct: the loop waits an hour between polls; each breach block is polled for at once.
    const { samples: direct, idlePollMs } = await directSeries(node, monitor, channels.slice(0, BREACHES));

    // Polled: the same database, the monitor restarted with the default interval.
    await monitor.shutdown();
    monitor = await startMonitor({
      config: monitorConfig(node, database, POLL_INTERVAL_MS),
      log: monitorLog,
    });
    const tip = await node.rpc.call<number>('getblockcount');
    while ((monitor.chainPosition()?.height ?? -1) < tip) await sleep(50);
    const polled = await polledSeries(node, monitor, channels.slice(BREACHES));

    report('direct (pollChain as the block is mined)', direct);
    report(`polled (the monitor's loop, every ${POLL_INTERVAL_MS} ms)`, polled);
    // Stored spends are never pruned: every poll resolves each channel that has any again.
    const meanX = (idlePollMs.length - 1) / 2;
    const meanY = idlePollMs.reduce((a, y) => a + y, 0) / idlePollMs.length;
    const slope =
      idlePollMs.reduce((a, y, x) => a + (x - meanX) * (y - meanY), 0) /
      idlePollMs.reduce((a, _, x) => a + (x - meanX) ** 2, 0);
    console.log(
      `\na poll with no new block: ${idlePollMs.map((ms) => ms.toFixed(0)).join(' ')} ms with 0..${idlePollMs.length - 1} ` +
        `earlier breaches stored; +${slope.toFixed(2)} ms per breach (least squares, ` +
        `intercept ${(meanY - slope * meanX).toFixed(1)} ms)`,
    );
  } finally {
    await monitor.shutdown();
    await database.drop();
    await node.regtest.stop();
  }
}

await main();
