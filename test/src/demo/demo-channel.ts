/**
 * The demo's channel (BOLT 2): A opens it to B over the manager's RemoteWatch (A's every update
 * streamed to the monitors, A frozen until a quorum persisted it: frozen-channel.ts), funded on the
 * chain from a confirmed coin (regtest-funding.ts); then payments go both ways in batches of
 * five per commitment round (payment-batch.ts), A paying B 1,000 sat each and B paying A 2,000 sat
 * each in turn, so B's balance shrinks and an early, revoked commitment of B's is worth more to B
 * than its latest: the one a cheater would broadcast.
 */
import { type Transaction, txidHex } from '@vigil/shared/bitcoin/tx';
import { toHex } from '@vigil/shared/bytes';
import { ChannelPair, type Peer } from '../fixtures/channel-pair.js';
import { openFrozen } from '../fixtures/frozen-channel.js';
import {
  type CounterpartySnapshot,
  snapshotCounterpartyCommitment,
} from '../scenario/counterparty-snapshot.js';
import { regtestFunding } from '../scenario/regtest-funding.js';
import { within } from './deadline.js';
import type { DemoStack } from './demo-stack.js';
import { payBatchFrozen } from './payment-batch.js';
import { type Progress, sats } from './progress.js';

export const FUNDING_SAT = 1_000_000n;
const A_PAYS_MSAT = 1_000_000n;
const B_PAYS_MSAT = 2_000_000n;
/** Payments per commitment round. */
const BATCH = 5;
/**
 * How long the opening, or a batch of payments, may wait for the quorum's acks (they take
 * milliseconds): longer means a monitor or the manager's side is stuck.
 */
const ACK_TIMEOUT_MS = 30_000;

export interface DemoChannel {
  readonly pair: ChannelPair;
  readonly fundingTx: Transaction;
  /** Hex. */
  readonly channelId: string;
}

/** Opens and funds A's channel to B; both sides end `normal`. */
export async function openDemoChannel(stack: DemoStack, progress: Progress): Promise<DemoChannel> {
  const { manager, chain } = stack;
  const funding = await regtestFunding(chain, FUNDING_SAT, chain.coins);
  const pair = ChannelPair.upToFundingCreated({
    openerWatch: manager.watch,
    fundingSat: FUNDING_SAT,
    fundingTx: (scriptPubKey, valueSat) => funding.build(scriptPubKey, valueSat),
  });
  const fundingTx = await within(
    ACK_TIMEOUT_MS,
    openFrozen(pair, manager.durable, (tx) => funding.confirm(tx)),
    () => stuck(stack, pair, 'the channel opening'),
  );
  const channelId = toHex(pair.b.watch.monitor!.channelId);
  progress.step(`channel funded: ${txidHex(fundingTx)} (${sats(FUNDING_SAT)} sat, channel ${channelId})`);
  return { pair, fundingTx, channelId };
}

export interface PaymentsResult {
  /** B's commitment signed early on, revoked by the end. */
  readonly snapshot: CounterpartySnapshot;
  /** A's monitor updates so far. */
  readonly updates: number;
}

/**
 * Makes `count` payments in batches, alternating A->B and B->A, each batch returning once every
 * update is durable on the quorum. Snapshots B's commitment after the first tenth of them, and
 * at the latest before the last batch, so that B has revoked it by the end.
 */
export async function makePayments(
  stack: DemoStack,
  channel: DemoChannel,
  count: number,
  progress: Progress,
): Promise<PaymentsResult> {
  const { pair } = channel;
  const batches = batchSizes(count);
  const ends = batches.map((_, i) => batches.slice(0, i + 1).reduce((sum, size) => sum + size, 0));
  // The snapshot is taken after batch `snapshotAfter` (-1: before the first).
  const snapshotAfter = Math.min(
    ends.findIndex((end) => end >= Math.max(1, Math.floor(count / 10))),
    batches.length - 2,
  );
  const every = count >= 200 ? 50 : Math.ceil(count / 4);
  let snapshot = snapshotAfter === -1 ? takeSnapshot(pair, progress) : undefined;
  for (const [round, size] of batches.entries()) {
    const from = round % 2 === 0 ? pair.a : pair.b;
    const amounts = Array<bigint>(size).fill(from === pair.a ? A_PAYS_MSAT : B_PAYS_MSAT);
    const before = ends[round]! - size;
    await within(ACK_TIMEOUT_MS, payBatchFrozen(pair, stack.manager.durable, from, amounts, before + 1), () =>
      stuck(stack, pair, `payments ${before + 1}-${ends[round]}`),
    );
    if (round === snapshotAfter) snapshot = takeSnapshot(pair, progress);
    if (Math.floor(ends[round]! / every) > Math.floor(before / every) || round === batches.length - 1)
      progress.step(paymentsLine(stack, pair, ends[round]!, count));
  }
  pair.expectAgreement();
  return { snapshot: snapshot!, updates: lastUpdateId(pair.a) };
}

/** `count` split into batches of BATCH, the last one smaller if need be. */
function batchSizes(count: number): number[] {
  return Array.from({ length: Math.ceil(count / BATCH) }, (_, i) => Math.min(BATCH, count - i * BATCH));
}

function takeSnapshot(pair: ChannelPair, progress: Progress): CounterpartySnapshot {
  const snapshot = snapshotCounterpartyCommitment(pair.b);
  progress.step(
    `B keeps a copy of its signed commitment #${snapshot.commitmentNumber} (B's balance in it: ${sats(snapshot.toBMsat / 1000n)} sat)`,
  );
  return snapshot;
}

/** `payments: 50/200 (260 updates, acked by 2 monitors; B's balance 375,000 sat)`. */
function paymentsLine(stack: DemoStack, pair: ChannelPair, n: number, count: number): string {
  const last = lastUpdateId(pair.a);
  const acked = stack.manager.sessions.filter((s) => (s.health().channels[0]?.position ?? -1) >= last).length;
  const balance = pair.b.watch.monitor!.currentHolderCommitment.toHolderMsat / 1000n;
  return `payments: ${n}/${count} (${last} updates, acked by ${acked} monitor${acked === 1 ? '' : 's'}; B's balance ${sats(balance)} sat)`;
}

/** Why a step that waits for the quorum's acks timed out, with what each monitor acked. */
function stuck(stack: DemoStack, pair: ChannelPair, what: string): string {
  const waiting = pair.a.watch.inProgress;
  const acks = stack.manager.sessions.map((s) => {
    const health = s.health();
    const position = health.channels[0]?.position;
    const state = health.connected
      ? 'connected'
      : `not connected${health.lastError ? `: ${health.lastError}` : ''}`;
    return `${health.id} ${position === undefined ? 'none' : `up to ${position}`} (${state})`;
  });
  return (
    `${what}: A's monitor updates were not persisted by the quorum (${stack.quorum}) within ${ACK_TIMEOUT_MS / 1000} s. ` +
    `A waits for update${waiting.length === 1 ? '' : 's'} ${waiting.join(', ') || '(none)'}; acked: ${acks.join(', ')}. ` +
    `A monitor or the manager's side is stuck${stack.backend.kind === 'pglite' ? ' (on PGlite, one database connection per process: a code path waiting on its own pool?)' : ''}; ` +
    `logs in ${stack.logDir}`
  );
}

function lastUpdateId(peer: Peer): number {
  return peer.watch.updates.at(-1)?.updateId ?? 0;
}
