/**
 * What enforcement costs per block (DESIGN.md "Enforcement"), on the monitor's real per-block path:
 * `Enforcer.blockConnected` for a block of 3,000 transactions, inside a Postgres transaction on a
 * fresh database migrated with the monitor's migrations, with 100,000 channels in the ChannelBook;
 * then `Enforcer.afterPoll`, which classifies the spends, builds the claims and broadcasts them to
 * a vigil-regtest node. The floor is hashing the block's 3,000 txids, which any processing of the
 * block pays, measured in the same run, interleaved block by block.
 *
 * Every run is its own block with five funding spends of its own five real channels: funded on
 * the regtest chain, their monitors built from the fixture's first rounds (signatures verified by
 * `applyUpdate`) and stored with their counterparty records, so that lockdown and the revoked
 * lookup take their real paths. Each block spends one each way: our current and previous
 * commitment, the counterparty's current and a revoked one, a cooperative close, all signed and
 * mined by the node. The node's block (coinbase, those spends, claims of the run before) is
 * padded with P2WPKH payments to 3,000 transactions; its hash and height are the BlockRef, so
 * afterPoll sees it as the tip and the node accepts the claims (a justice transaction and the
 * sweep of our output on the counterparty's commitment). The other 99,9xx channels share one
 * decoded monitor, each with its own channel id and funding outpoint, across 100 tenants.
 *
 * afterPoll is timed three times per block: right after it (new spends: classify, lockdown,
 * build and broadcast), at the next poll (claims pending, rebroadcast as already known), and
 * once the block's spends are forgotten (`blockDisconnected`): the cost of every poll with
 * nothing to claim (its pass over the book for holder broadcasts).
 *
 * Forgetting each block's spends also means every block meets a monitor with no spend history.
 *
 * Run: `npm run bench:enforce` (Postgres at VIGIL_TEST_PG_URL or 127.0.0.1:5432; the regtest node
 * runs in-process). Figures are medians of RUNS timed blocks after WARMUP untimed ones; a young
 * generation collection precedes every timed op, so none pays for the garbage of the one before.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type Block,
  type BlockHeader,
  blockHash,
  decodeBlock,
  encodeBlock,
} from '@vigil/shared/bitcoin/block';
import { signSegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { type OutPoint, type Transaction, txid, txidHex, withInputWitness } from '@vigil/shared/bitcoin/tx';
import { fromHex, toHex } from '@vigil/shared/bytes';
import { BitcoindChainSource } from '@vigil/shared/chain/bitcoind-source';
import type { BlockRef } from '@vigil/shared/chain/chain-source';
import { migrate } from '@vigil/shared/db/migrate';
import { fundingOutput, fundingSpendWitness } from '@vigil/shared/ln/funding';
import { fundingScript } from '@vigil/shared/ln/scripts';
import { createLogger } from '@vigil/shared/log/logger';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdateStep } from '@vigil/shared/monitor-model/monitor-update';
import {
  decodeChannelMonitor,
  encodeChannelMonitor,
  encodeCounterpartyCommitment,
} from '@vigil/shared/monitor-model/proto-codec';
import { Enforcer } from '@vigil/monitor/enforce/enforcer';
import { outpointKey } from '@vigil/monitor/enforce/watched-outpoints';
import { ChannelBook } from '@vigil/monitor/service/channel-book';
import { insertChannel } from '@vigil/monitor/store/channel-store';
import { insertRecords } from '@vigil/monitor/store/counterparty-records';
import { monitorMigrations } from '@vigil/monitor/store/migrations';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { fund, mine, startTestNode, type TestNode } from '@vigil/test/support/regtest/regtest-fixture';
import { signSpend, testKey, txHex } from '@vigil/test/support/regtest/test-wallet';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';

const BLOCK_TXS = 3_000;
const WATCHED_CHANNELS = 100_000;
const TENANTS = 100;
const ROUNDS_PER_CHANNEL = 3;
const WARMUP = 3;
const RUNS = 15;
const FUNDING_SAT = 1_000_000n;
/** Balances of every commitment (classification does not depend on them). */
const BALANCES = { toHolderMsat: 700_000_000n, toCounterpartyMsat: 300_000_000n };
const REAL_TENANT = Uint8Array.of(0x03, ...new Uint8Array(32).fill(0xee));

// --- Real channels, funded on the regtest chain -----------------------------------------------------

interface RealChannel {
  readonly fixture: ChannelFixture;
  readonly channelId: Uint8Array;
  /** After ROUNDS_PER_CHANNEL rounds. */
  readonly monitor: ChannelMonitor;
  /** Every counterparty commitment record it emitted, stored beside the snapshot. */
  readonly records: readonly CounterpartyCommitment[];
}

function realChannel(fundingOutpoint: OutPoint, channelId: Uint8Array): RealChannel {
  const fixture = new ChannelFixture({ fundingOutpoint, fundingValueSat: FUNDING_SAT });
  const created = createChannelMonitor({ ...fixture.init(BALANCES), channelId });
  const records = [...created.counterpartyCommitments];
  let monitor = created.monitor;
  for (let round = 1; round <= ROUNDS_PER_CHANNEL; round++) {
    const steps: ChannelMonitorUpdateStep[] = [
      { kind: 'latestCounterpartyCommitment', commitment: fixture.counterpartyCommitment(round, BALANCES) },
      { kind: 'commitmentSecret', ...fixture.counterpartySecret(round - 1) },
      { kind: 'latestHolderCommitment', commitment: fixture.holderCommitment(round, BALANCES) },
    ];
    for (const step of steps) {
      const applied = applyUpdate(monitor, {
        channelId,
        updateId: monitor.latestUpdateId + 1,
        steps: [step],
      });
      monitor = applied.monitor;
      records.push(...applied.counterpartyCommitments);
    }
  }
  return { fixture, channelId, monitor, records };
}

function p2wpkh(): Uint8Array {
  return Uint8Array.of(0x00, 0x14, ...randomBytes(20));
}

/** BOLT 2 closing transaction (locktime 0, final sequence, one output per side), both signatures. */
function cooperativeCloseTx({ fixture }: RealChannel): Transaction {
  const { fundingOutpoint, fundingValueSat, holderPubkeys, counterpartyPubkeys } = fixture.parameters;
  const unsigned: Transaction = {
    version: 2,
    inputs: [{ prevout: fundingOutpoint, scriptSig: new Uint8Array(0), sequence: 0xffff_ffff, witness: [] }],
    outputs: [
      { valueSat: 690_000n, scriptPubKey: p2wpkh() },
      { valueSat: 309_000n, scriptPubKey: p2wpkh() },
    ],
    locktime: 0,
  };
  const spent = {
    scriptCode: fundingScript(holderPubkeys.fundingPubkey, counterpartyPubkeys.fundingPubkey),
    valueSat: fundingValueSat,
  };
  const sign = (key: Uint8Array) => signSegwitV0Input(unsigned, 0, spent, key);
  return withInputWitness(
    unsigned,
    0,
    fundingSpendWitness(
      { pubkey: holderPubkeys.fundingPubkey, signature: sign(fixture.holder.fundingKey) },
      { pubkey: counterpartyPubkeys.fundingPubkey, signature: sign(fixture.counterparty.fundingKey) },
    ),
  );
}

/** One spend of each kind, in this order, by the five channels of a block (all fully signed). */
const SPEND_KINDS: readonly ((ch: RealChannel) => Transaction)[] = [
  ({ fixture }) => fixture.signedHolderCommitmentTx(ROUNDS_PER_CHANNEL, BALANCES),
  ({ fixture }) => fixture.signedHolderCommitmentTx(ROUNDS_PER_CHANNEL - 1, BALANCES),
  ({ fixture }) => fixture.signedCounterpartyCommitmentTx(ROUNDS_PER_CHANNEL, BALANCES),
  ({ fixture }) => fixture.signedCounterpartyCommitmentTx(1, BALANCES),
  cooperativeCloseTx,
];

/** `count` funding outputs in one transaction, confirmed. */
async function fundChannels(node: TestNode, count: number): Promise<OutPoint[]> {
  const { holderPubkeys, counterpartyPubkeys } = new ChannelFixture().parameters;
  const coin = await fund(
    node.rpc,
    testKey('bench enforce-block funder'),
    BigInt(count) * FUNDING_SAT + 50_000n,
  );
  const output = fundingOutput(holderPubkeys.fundingPubkey, counterpartyPubkeys.fundingPubkey, FUNDING_SAT);
  const fundingTx = signSpend(
    [coin],
    Array.from({ length: count }, () => output),
  );
  await node.rpc.call('sendrawtransaction', txHex(fundingTx));
  await mine(node.rpc, 1);
  return Array.from({ length: count }, (_, vout) => ({ txid: txid(fundingTx), vout }));
}

/** Stores the channel as a WatchChannel would (snapshot and records) and puts it in the book. */
async function storeChannel(database: TestDatabase, book: ChannelBook, ch: RealChannel): Promise<void> {
  const snapshot = encodeChannelMonitor(ch.monitor);
  await insertChannel(database.sql, REAL_TENANT, ch.channelId, {
    latestUpdateId: ch.monitor.latestUpdateId,
    snapshot,
    holderCommitmentSigned: false,
    fundingSpendSeen: false,
  });
  const records = ch.records.map((r) => ({
    commitmentNumber: r.commitmentNumber,
    txid: r.txid,
    bytes: encodeCounterpartyCommitment(r),
  }));
  await insertRecords(database.sql, REAL_TENANT, ch.channelId, records, 'records');
  book.set(REAL_TENANT, ch.channelId, {
    monitor: decodeChannelMonitor(snapshot),
    revision: 1n,
    snapshotBytes: snapshot.length,
  });
}

// --- The block ------------------------------------------------------------------------------------

/** A P2WPKH payment: 1 or 2 inputs (signature and pubkey witness), 1 or 2 outputs. */
function paymentTx(i: number): Transaction {
  const inputs = Array.from({ length: 1 + (i % 2) }, () => ({
    prevout: { txid: new Uint8Array(randomBytes(32)), vout: i % 3 },
    scriptSig: new Uint8Array(0),
    sequence: 0xffff_fffd,
    witness: [randomBytes(72), randomBytes(33)],
  }));
  const outputs = Array.from({ length: 1 + (i % 5 === 0 ? 0 : 1) }, (_, k) => ({
    valueSat: BigInt(10_000 + i * 7 + k),
    scriptPubKey: p2wpkh(),
  }));
  return { version: 2, inputs, outputs, locktime: 870_000 };
}

/** The node's block (coinbase first), its other transactions spread through BLOCK_TXS. */
function paddedBlock(header: BlockHeader, mined: readonly Transaction[]): Block {
  const [coinbase, ...spends] = mined;
  const transactions = [coinbase!];
  for (let i = 1; transactions.length < BLOCK_TXS - spends.length; i++) transactions.push(paymentTx(i));
  spends.forEach((tx, k) =>
    transactions.splice(1 + Math.floor(((k + 1) * transactions.length) / (spends.length + 1)), 0, tx),
  );
  return { header, transactions };
}

// --- Timing ---------------------------------------------------------------------------------------

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;
const collectGarbage = () => gc({ type: 'minor' });

function timeMs(op: () => unknown): number {
  collectGarbage();
  const start = performance.now();
  op();
  return performance.now() - start;
}

async function timeAsync(op: () => Promise<unknown>): Promise<number> {
  collectGarbage();
  const start = performance.now();
  await op();
  return performance.now() - start;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const count = (n: number) => n.toLocaleString('en-US');

// --- The run --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const node = await startTestNode();
  const database = await createTestDatabase('vigil_bench_enforce');
  try {
    await migrate(database.sql, monitorMigrations);
    await bench(node, database);
  } finally {
    await database.drop();
    await node.regtest.stop();
  }
}

async function bench(node: TestNode, database: TestDatabase): Promise<void> {
  const blocks = WARMUP + RUNS;
  const setupStart = performance.now();
  const outpoints = await fundChannels(node, blocks * SPEND_KINDS.length);
  const realChannels = outpoints.map((outpoint, n) =>
    realChannel(outpoint, Uint8Array.of(0xee, n >> 8, n & 0xff, ...new Uint8Array(29))),
  );
  const book = new ChannelBook();
  for (const ch of realChannels) await storeChannel(database, book, ch);
  // The other channels: one decoded monitor, each copy with its own id and funding outpoint.
  const shared = decodeChannelMonitor(encodeChannelMonitor(realChannels[0]!.monitor));
  const tenants = Array.from({ length: TENANTS }, (_, t) => Uint8Array.of(0x02, t, ...new Uint8Array(31)));
  for (let n = realChannels.length; n < WATCHED_CHANNELS; n++) {
    const channelId = new Uint8Array(randomBytes(32));
    const fundingOutpoint = { txid: new Uint8Array(randomBytes(32)), vout: n % 2 };
    const monitor = { ...shared, channelId, parameters: { ...shared.parameters, fundingOutpoint } };
    book.set(tenants[n % TENANTS]!, channelId, { monitor, revision: 1n, snapshotBytes: 0 });
  }
  const setupS = (performance.now() - setupStart) / 1000;
  const loadStart = performance.now();
  const enforcer = await Enforcer.load({
    db: database.sql,
    book,
    chain: new BitcoindChainSource({ url: node.regtest.url, auth: node.regtest.credentials }),
    log: createLogger({ name: 'bench-enforce', level: 'silent' }),
    notifyEvents: () => {},
  });
  const loadMs = performance.now() - loadStart;
  console.log(
    `set-up: ${realChannels.length} real monitors funded on regtest and stored, ` +
      `${count(book.size)} channels in the book, in ${setupS.toFixed(1)} s; Enforcer.load ${loadMs.toFixed(0)} ms`,
  );

  // Every watched funding outpoint, for the in-memory part of the scan alone.
  const fundingKeys = new Map<string, true>();
  for (const { entry } of book.channels())
    fundingKeys.set(outpointKey(entry.monitor.parameters.fundingOutpoint), true);

  const samples: Record<string, number[]> = {};
  const sample = (name: string, ms: number, run: number) => {
    if (run >= WARMUP) (samples[name] ??= []).push(ms);
  };
  let inputs = 0;
  let claimsAccepted = 0;
  let blockBytes = 0;
  for (let run = 0; run < blocks; run++) {
    const channels = realChannels.slice(run * SPEND_KINDS.length, (run + 1) * SPEND_KINDS.length);
    const spends = channels.map((ch, k) => SPEND_KINDS[k]!(ch));
    for (const spend of spends) await node.rpc.call('sendrawtransaction', txHex(spend));
    const [hashHex] = await mine(node.rpc, 1);
    const mined = decodeBlock(fromHex(await node.rpc.call<string>('getblock', hashHex, 0)));
    const ref: BlockRef = {
      height: await node.rpc.call<number>('getblockcount'),
      hash: blockHash(mined.header),
    };
    const block = paddedBlock(mined.header, mined.transactions);
    const encoded = encodeBlock(block);
    inputs = block.transactions.reduce((sum, tx) => sum + tx.inputs.length, 0);
    blockBytes = encoded.length;

    sample(
      'floor',
      timeMs(() => block.transactions.forEach((tx) => txid(tx))),
      run,
    );
    let connectMs = 0;
    const transactionMs = await timeAsync(() =>
      database.sql.begin(async (tx) => {
        const start = performance.now();
        await enforcer.blockConnected(block, ref, tx);
        connectMs = performance.now() - start;
      }),
    );
    sample('connect', connectMs, run);
    sample('transaction', transactionMs, run);
    sample(
      'lookup',
      timeMs(() => {
        let hits = 0;
        for (const tx of block.transactions)
          for (const input of tx.inputs) if (fundingKeys.has(outpointKey(input.prevout))) hits++;
        return hits;
      }),
      run,
    );
    sample('afterPollNew', await timeAsync(() => enforcer.afterPoll()), run);
    sample('afterPollPending', await timeAsync(() => enforcer.afterPoll()), run);

    // Checks, untimed: every funding spend stored, every claim accepted by the node.
    const stored = await database.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM enforcement_spends WHERE block_hash = ${ref.hash}`;
    if (stored[0]!.n !== spends.length) throw new Error(`block ${run}: ${stored[0]!.n} spends stored`);
    const claims = await database.sql<{ txid: Uint8Array }[]>`
      SELECT txid FROM enforcement_claims WHERE channel_id IN ${database.sql(channels.map((c) => c.channelId))}`;
    const mempool = new Set(await node.rpc.call<string[]>('getrawmempool'));
    const accepted = claims.filter((c) => mempool.has(toHex(Uint8Array.from(c.txid).reverse()))).length;
    if (accepted !== 2)
      throw new Error(`block ${run}: ${accepted} of ${claims.length} claims in the mempool`);
    if (run >= WARMUP) claimsAccepted += accepted;
    if (run === 0) {
      console.log(
        `block: ${count(block.transactions.length)} transactions, ${count(inputs)} inputs, ` +
          `${(blockBytes / 1e6).toFixed(2)} MB; spends: ${spends.map((tx) => txidHex(tx).slice(0, 8)).join(' ')}`,
      );
    }

    // Forget the block's spends, so the next block starts with none stored, then the idle poll.
    await database.sql.begin((tx) => enforcer.blockDisconnected(ref, tx));
    sample('afterPollIdle', await timeAsync(() => enforcer.afterPoll()), run);
    sample(
      'decode',
      timeMs(() => decodeBlock(encoded)),
      run,
    );
  }

  const m = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
  const floor = m['floor']!;
  const row = (name: string, ms: number) =>
    console.log(
      `${name.padEnd(78)} ${ms.toFixed(3).padStart(9)} ms  ${(ms / floor).toFixed(3).padStart(7)} x floor`,
    );
  console.log(
    `\nmedians of ${RUNS} blocks (each ${count(BLOCK_TXS)} transactions, 5 funding spends, ` +
      `${count(book.size)} channels watched); ${claimsAccepted} claims accepted by the node`,
  );
  row(`floor: txids of the ${count(BLOCK_TXS)} transactions`, floor);
  row(
    `blockConnected: the block against ${count(WATCHED_CHANNELS)} channels, 5 spends inserted`,
    m['connect']!,
  );
  row(`  the follower's transaction: BEGIN, blockConnected, COMMIT`, m['transaction']!);
  row(`  in memory only: outpointKey + lookup of the ${count(inputs)} inputs (no database)`, m['lookup']!);
  row(
    `  before it, the follower decodes the block (getblock, ${(blockBytes / 1e6).toFixed(2)} MB)`,
    m['decode']!,
  );
  row(`afterPoll after the block: classify 5, lock 5 down, build + broadcast 2 claims`, m['afterPollNew']!);
  row(`afterPoll at the next poll: 5 channels resolved again, 2 claims rebroadcast`, m['afterPollPending']!);
  row(`afterPoll with no spends stored (every poll, block or not)`, m['afterPollIdle']!);
}

await main();
