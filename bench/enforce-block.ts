/**
 * What enforcement costs per block (DESIGN.md "Enforcement"): a block of 3,000 transactions checked
 * against 100,000 watched funding outpoints, five of which it spends, each of those five classified
 * on a real `ChannelMonitor` (our current and previous commitment, the counterparty's current and
 * a revoked one, a cooperative close). The floor is hashing the block's 3,000 txids, which any
 * processing of the block pays; the index should cost a fraction of it, whatever the channel count.
 * Also compares the two candidate outpoint key encodings, latin1 and hex.
 *
 * Every monitor is real: commitments built from the channel's parameters, signed with the
 * counterparty's keys and verified by `applyUpdate`. Run: `npm run bench:enforce`. Figures are
 * medians of RUNS timed runs on one core, after WARMUP untimed ones.
 */
import { randomBytes } from 'node:crypto';
import type { Block } from '@vigil/shared/bitcoin/block';
import { txid, withInputWitness, type OutPoint, type Transaction } from '@vigil/shared/bitcoin/tx';
import { toHex } from '@vigil/shared/bytes';
import { buildSideCommitment } from '@vigil/shared/ln/channel-parameters';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import {
  type ChannelMonitor,
  type CounterpartyCommitment,
  counterpartyCommitmentState,
  type HolderCommitment,
  holderCommitmentState,
} from '@vigil/shared/monitor-model/channel-monitor';
import { holderPerCommitmentPoint } from '@vigil/shared/monitor-model/commitment-checks';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdateStep } from '@vigil/shared/monitor-model/monitor-update';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { classifyFundingSpend, type CounterpartyRecordLookup } from '@vigil/monitor/enforce/classify-spend';
import {
  outpointKey,
  type WatchedChannel,
  WatchedOutpoints,
  type WatchedSpend,
} from '@vigil/monitor/enforce/watched-outpoints';

const BLOCK_TXS = 3_000;
const WATCHED_CHANNELS = 100_000;
/** A small index, to show the scan does not grow with the number of channels. */
const SMALL_INDEX = 1_000;
const ROUNDS_PER_CHANNEL = 3;
const WARMUP = 3;
const RUNS = 21;

// --- Five real channels, each funded at its own outpoint -------------------------------------------

interface RealChannel {
  readonly channel: WatchedChannel;
  readonly monitor: ChannelMonitor;
  readonly lookup: CounterpartyRecordLookup;
}

/**
 * A fixture whose channel is funded at `fundingOutpoint`. ChannelFixture fixes its outpoint, and
 * `parameters` is only type-level readonly; everything the fixture builds reads it at call time.
 */
function fixtureFundedAt(fundingOutpoint: OutPoint): ChannelFixture {
  const fixture = new ChannelFixture();
  return Object.assign(fixture, { parameters: { ...fixture.parameters, fundingOutpoint } });
}

/** Balances of every commitment (classification does not depend on them). */
const BALANCES = { toHolderMsat: 700_000_000n, toCounterpartyMsat: 300_000_000n };

/** A channel after ROUNDS_PER_CHANNEL rounds, with every counterparty record it emitted. */
function realChannel(n: number): RealChannel {
  const fixture = fixtureFundedAt({ txid: new Uint8Array(randomBytes(32)), vout: n % 2 });
  const channel = { tenant: new Uint8Array(33).fill(0xee), channelId: new Uint8Array(32).fill(n) };
  const created = createChannelMonitor({ ...fixture.init(BALANCES), channelId: channel.channelId });
  const records = new Map(created.counterpartyCommitments.map((r) => [r.commitmentNumber, r]));
  let monitor = created.monitor;
  for (let round = 1; round <= ROUNDS_PER_CHANNEL; round++) {
    const steps: ChannelMonitorUpdateStep[] = [
      {
        kind: 'latestCounterpartyCommitment',
        commitment: fixture.counterpartyCommitment(round, BALANCES),
      },
      { kind: 'commitmentSecret', ...fixture.counterpartySecret(round - 1) },
      { kind: 'latestHolderCommitment', commitment: fixture.holderCommitment(round, BALANCES) },
    ];
    for (const step of steps) {
      const applied = applyUpdate(monitor, {
        channelId: channel.channelId,
        updateId: monitor.latestUpdateId + 1,
        steps: [step],
      });
      monitor = applied.monitor;
      for (const r of applied.counterpartyCommitments) records.set(r.commitmentNumber, r);
    }
  }
  return { channel, monitor, lookup: (number) => records.get(number) };
}

/** A witness of the shape a 2-of-2 spend has (0, two signatures, the funding script). */
const FUNDING_WITNESS = [new Uint8Array(0), randomBytes(72), randomBytes(71), randomBytes(71)];

function holderTx(monitor: ChannelMonitor, commitment: HolderCommitment): Transaction {
  const point = holderPerCommitmentPoint(monitor.secrets, commitment.commitmentNumber);
  const built = buildSideCommitment(monitor.parameters, 'holder', holderCommitmentState(commitment, point));
  return withInputWitness(built.tx, 0, FUNDING_WITNESS);
}

function counterpartyTx(monitor: ChannelMonitor, record: CounterpartyCommitment): Transaction {
  const built = buildSideCommitment(monitor.parameters, 'counterparty', counterpartyCommitmentState(record));
  return withInputWitness(built.tx, 0, FUNDING_WITNESS);
}

/** BOLT 2 closing transaction: locktime 0, final sequence, one output per side. */
function cooperativeCloseTx(monitor: ChannelMonitor): Transaction {
  return {
    version: 2,
    inputs: [
      {
        prevout: monitor.parameters.fundingOutpoint,
        scriptSig: new Uint8Array(0),
        sequence: 0xffff_ffff,
        witness: FUNDING_WITNESS,
      },
    ],
    outputs: [
      { valueSat: 690_000n, scriptPubKey: p2wpkh() },
      { valueSat: 309_000n, scriptPubKey: p2wpkh() },
    ],
    locktime: 0,
  };
}

/** The spends of the five channels, one of each kind (the revoked one from its stored record). */
const SPEND_KINDS: readonly ((ch: RealChannel) => Transaction)[] = [
  ({ monitor }) => holderTx(monitor, monitor.currentHolderCommitment),
  ({ monitor }) => holderTx(monitor, monitor.previousHolderCommitment!),
  ({ monitor }) => counterpartyTx(monitor, monitor.unrevokedCounterpartyCommitments.at(-1)!),
  ({ monitor, lookup }) => counterpartyTx(monitor, lookup(1)!),
  ({ monitor }) => cooperativeCloseTx(monitor),
];

// --- The block ------------------------------------------------------------------------------------

function p2wpkh(): Uint8Array {
  return Uint8Array.of(0x00, 0x14, ...randomBytes(20));
}

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

function coinbaseTx(): Transaction {
  return {
    version: 2,
    inputs: [
      {
        prevout: { txid: new Uint8Array(32), vout: 0xffff_ffff },
        scriptSig: Uint8Array.of(0x03, 0x70, 0x46, 0x0d),
        sequence: 0xffff_ffff,
        witness: [new Uint8Array(32)],
      },
    ],
    outputs: [{ valueSat: 312_500_000n, scriptPubKey: p2wpkh() }],
    locktime: 0,
  };
}

/** Coinbase, payments, and `spends` spread through the block. */
function blockWith(spends: readonly Transaction[]): Block {
  const transactions = [coinbaseTx()];
  for (let i = 1; transactions.length < BLOCK_TXS - spends.length; i++) transactions.push(paymentTx(i));
  spends.forEach((tx, k) =>
    transactions.splice(1 + Math.floor(((k + 1) * transactions.length) / (spends.length + 1)), 0, tx),
  );
  return {
    header: {
      version: 0x2000_0000,
      prevBlockHash: new Uint8Array(32),
      merkleRoot: new Uint8Array(32),
      time: 1_730_000_000,
      bits: 0x1703_0ecd,
      nonce: 0,
    },
    transactions,
  };
}

// --- Timing ---------------------------------------------------------------------------------------

function timeMs(op: () => unknown): number {
  const start = process.hrtime.bigint();
  op();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median ms of each op, the ops interleaved run by run so drift affects them alike. */
function medians(ops: Record<string, () => unknown>): Record<string, number> {
  const samples = Object.fromEntries(Object.keys(ops).map((name) => [name, [] as number[]]));
  for (let run = 0; run < WARMUP + RUNS; run++) {
    for (const [name, op] of Object.entries(ops)) {
      const ms = timeMs(op);
      if (run >= WARMUP) samples[name]!.push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

// --- Setup ----------------------------------------------------------------------------------------

const setupStart = process.hrtime.bigint();
const channels = SPEND_KINDS.map((_, n) => realChannel(n));
const byChannel = new Map(channels.map((ch) => [toHex(ch.channel.channelId), ch]));
const block = blockWith(SPEND_KINDS.map((spend, n) => spend(channels[n]!)));
console.log(
  `set-up: 5 real monitors in ${(Number(process.hrtime.bigint() - setupStart) / 1e9).toFixed(1)} s`,
);

/** The five real channels' funding outpoints, then random ones up to `count`. */
function fundingOutpointsUpTo(count: number): OutPoint[] {
  const outpoints = channels.map((ch) => ch.monitor.parameters.fundingOutpoint);
  while (outpoints.length < count) {
    outpoints.push({ txid: new Uint8Array(randomBytes(32)), vout: outpoints.length % 2 });
  }
  return outpoints;
}

function watchedIndex(outpoints: readonly OutPoint[]): WatchedOutpoints {
  const index = new WatchedOutpoints();
  outpoints.forEach((outpoint, n) => {
    const channel = channels[n]?.channel ?? {
      tenant: new Uint8Array(33).fill(n >>> 16),
      channelId: new Uint8Array(randomBytes(32)),
    };
    index.add(outpoint, { kind: 'funding', channel });
  });
  return index;
}

const fundingOutpoints = fundingOutpointsUpTo(WATCHED_CHANNELS);
let index = new WatchedOutpoints();
const indexMs = timeMs(() => (index = watchedIndex(fundingOutpoints)));
const smallIndex = watchedIndex(fundingOutpointsUpTo(SMALL_INDEX));
const inputs = block.transactions.reduce((sum, tx) => sum + tx.inputs.length, 0);
console.log(
  `index: ${index.size.toLocaleString('en-US')} funding outpoints added in ${indexMs.toFixed(0)} ms; ` +
    `block: ${block.transactions.length.toLocaleString('en-US')} transactions, ${inputs.toLocaleString('en-US')} inputs`,
);

/** Classifies each funding spend on its channel's monitor, as the engine will. */
function classifyAll(spends: readonly WatchedSpend[], monitorOf: (ch: RealChannel) => ChannelMonitor) {
  return spends.map(({ tx, entry }) => {
    const ch = byChannel.get(toHex(entry.channel.channelId))!;
    return classifyFundingSpend(monitorOf(ch), tx, ch.lookup).kind;
  });
}

const spends = index.spendsInBlock(block);
console.log(`classified: ${classifyAll(spends, (ch) => ch.monitor).join(', ')}`);

// The candidate key encodings, each over a set of every watched outpoint, looked up per input.
const hexKey = (o: OutPoint) => toHex(o.txid) + (o.vout >>> 0).toString(16).padStart(8, '0');
const latin1Keys = new Set(fundingOutpoints.map(outpointKey));
const hexKeys = new Set(fundingOutpoints.map(hexKey));
const lookupAll = (keys: ReadonlySet<string>, key: (o: OutPoint) => string) => {
  let hits = 0;
  for (const tx of block.transactions)
    for (const input of tx.inputs) if (keys.has(key(input.prevout))) hits++;
  return hits;
};

/** The same monitor values: holder txids cached after the first classification. */
const sameMonitor = (ch: RealChannel) => ch.monitor;
/**
 * A new monitor value, as after any update: the holder-txid cache misses. The per-commitment key
 * cache (deriveCommitmentKeys) still hits, as it does for commitments this process has checked.
 */
const newMonitor = (ch: RealChannel) => ({ ...ch.monitor });

const m = medians({
  floor: () => block.transactions.forEach((tx) => txid(tx)),
  scan: () => index.spendsInBlock(block),
  scanSmall: () => smallIndex.spendsInBlock(block),
  classifyWarm: () => classifyAll(spends, sameMonitor),
  classifyCold: () => classifyAll(spends, newMonitor),
  blockWarm: () => classifyAll(index.spendsInBlock(block), sameMonitor),
  blockCold: () => classifyAll(index.spendsInBlock(block), newMonitor),
  latin1: () => lookupAll(latin1Keys, outpointKey),
  hex: () => lookupAll(hexKeys, hexKey),
});

const row = (name: string, ms: number) =>
  console.log(`${name.padEnd(66)} ${ms.toFixed(3).padStart(8)} ms   ${(ms / m.floor!).toFixed(3)} x floor`);
const count = (n: number) => n.toLocaleString('en-US');
console.log(`\nmedians of ${RUNS} runs`);
row(`floor: txids of the ${count(BLOCK_TXS)} transactions`, m.floor!);
row(`block: scan + classify the 5 funding spends, holder txids cached`, m.blockWarm!);
row(`block: scan + classify, new monitor values (holder txids rebuilt)`, m.blockCold!);
row(`  scan: spendsInBlock, ${count(WATCHED_CHANNELS)} watched outpoints`, m.scan!);
row(`  scan: spendsInBlock, ${count(SMALL_INDEX)} watched outpoints`, m.scanSmall!);
row(`  classify 5 spends, holder txids cached`, m.classifyWarm!);
row(`  classify 5 spends, holder txids rebuilt`, m.classifyCold!);
row(`keys: latin1 (the index's), key + lookup of ${count(inputs)} inputs`, m.latin1!);
row(`keys: hex, key + lookup of ${count(inputs)} inputs`, m.hex!);
