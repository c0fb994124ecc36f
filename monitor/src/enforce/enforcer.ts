/**
 * The `Enforcer`: the monitor's ChainMonitor and ClaimEngine (DESIGN.md "Enforcement"), driven by
 * a BlockFollower (exactly once per block, position persisted with each block).
 *
 * - Watching (`blockConnected`, in the follower's transaction): every input of every transaction
 *   is looked up in the watched outpoints, so a block costs O(inputs) however many channels are
 *   watched. Watched are the funding outpoint of every channel the service holds, then every
 *   output of a transaction spending one (a commitment), then every output of a transaction
 *   spending those (second-stage HTLC transactions). Each such spend is stored with its block;
 *   `blockDisconnected` deletes the spends of the block it removes.
 * - Claiming (`afterPoll`, after the follower committed): for every channel with spends, the
 *   resolution at the tip (channel-resolution.ts) says which claims are valid now and which events
 *   are due. Claims are built deterministically (claim-tx.ts) at the feerate fee-policy.ts gives,
 *   broadcast, and rebroadcast at every poll until their spend is on the chain; our pre-signed HTLC
 *   transactions likewise. Due events are enqueued once each (enforcement_events), then the
 *   tenant's sessions are told. A channel whose funding output is spent enters lockdown.
 * - Holder broadcast (`afterPoll`): a channel whose funding output is unspent gets our latest
 *   commitment broadcast when an HTLC nears expiry or the manager asked (holder-broadcast.ts).
 *
 * - Forgetting: a channel with nothing left to claim, broadcast or confirm is deleted from the
 *   engine's tables once its last spend is deeper than the follower's reorg window; it stays
 *   locked down, so it is never considered again.
 *
 * Invariants:
 * - What the chain did is only ever read from the stored spends of the best chain: a restart or a
 *   reorg recomputes the same claims and events from them.
 * - A claim's fee state is written after its broadcast: a crash in between rebroadcasts at the
 *   same feerate, which the node accepts as already known.
 * - Secrets (claim signing keys) stay inside the claim builders: logs carry channel ids, txids,
 *   feerates and values only.
 */
import type { Block } from '@vigil/shared/bitcoin/block';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { type Transaction, txid as txidOf, txidHex } from '@vigil/shared/bitcoin/tx';
import { concatBytes, toHex } from '@vigil/shared/bytes';
import { type BlockListener, DEFAULT_KEEP_BLOCKS, type FollowerTx } from '@vigil/shared/chain/block-follower';
import { type BlockRef, type ChainSource, TxRejectedError } from '@vigil/shared/chain/chain-source';
import type { Database, SqlHandle } from '@vigil/shared/db/database';
import type { Logger } from '@vigil/shared/log/logger';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { decodeCounterpartyCommitment, encodeMonitorEvent } from '@vigil/shared/monitor-model/proto-codec';
import type { ChannelBook } from '../service/channel-book.js';
import { enterLockdown } from '../service/lockdown.js';
import { channelRecords } from '../store/counterparty-records.js';
import { enqueueEvent } from '../store/event-outbox.js';
import { type ChannelResolution, type PlannedClaim, resolveChannel } from './channel-resolution.js';
import { holderCommitmentTx } from './claim-inputs.js';
import { buildClaimTx, ClaimNotWorthwhileError, claimWeight } from './claim-tx.js';
import {
  type ChainSpend,
  deleteChannelEnforcement,
  deleteSpendsOfBlock,
  insertSpend,
  loadClaimFeeStates,
  loadSpends,
  markEventEnqueued,
  saveClaimFeeState,
} from './enforcement-store.js';
import { claimFeerate, confirmationTarget } from './fee-policy.js';
import { holderBroadcastReason } from './holder-broadcast.js';
import { WatchedOutpoints } from './watched-outpoints.js';

export interface EnforcerDeps {
  readonly db: Database;
  /** Every channel monitor the service holds (kept current by the sessions). */
  readonly book: ChannelBook;
  readonly chain: ChainSource;
  readonly log: Logger;
  /** New events were committed to `tenant`'s outbox: tell its open sessions. */
  readonly notifyEvents: (tenant: Uint8Array) => void;
}

/** Outputs of transactions spending outpoints deeper than this are not watched. */
const MAX_WATCH_DEPTH = 2;

const channelKeyOf = (tenant: Uint8Array, channelId: Uint8Array) => `${toHex(tenant)}:${toHex(channelId)}`;

export class Enforcer implements BlockListener {
  /** Funding outpoints of every channel the book holds (a channel may share one: two tenants). */
  private readonly funding = new WatchedOutpoints();
  /** Hashes of the events known to be in the outbox (enforcement_events), as hex. */
  private readonly enqueued = new Set<string>();

  private constructor(private readonly deps: EnforcerDeps) {
    deps.book.forEachChannel((tenant, channelId, entry) =>
      this.funding.add(entry.monitor.parameters.fundingOutpoint, {
        channel: { tenant, channelId },
        depth: 0,
      }),
    );
  }

  /** Starts watching every channel of the book, and each one it gets later. */
  static async load(deps: EnforcerDeps): Promise<Enforcer> {
    return new Enforcer(deps);
  }

  async blockConnected(block: Block, ref: BlockRef, tx: FollowerTx): Promise<void> {
    const deeper = watchedOutputs(await loadSpends(tx));
    // In block order: a transaction may spend an output a transaction before it made watched.
    for (const blockTx of block.transactions) {
      for (const { inputIndex, entry } of [
        ...this.funding.spendsInTx(blockTx),
        ...deeper.spendsInTx(blockTx),
      ]) {
        const spend: ChainSpend = {
          tenant: entry.channel.tenant,
          channelId: entry.channel.channelId,
          spent: blockTx.inputs[inputIndex]!.prevout,
          blockHash: ref.hash,
          height: ref.height,
          tx: blockTx,
          inputIndex,
        };
        await insertSpend(tx, spend);
        watchOutputs(deeper, spend, entry.depth + 1);
        this.deps.log.info(
          {
            channelId: toHex(spend.channelId),
            txid: txidHex(blockTx),
            height: ref.height,
            depth: entry.depth,
          },
          'watched outpoint spent',
        );
      }
    }
  }

  async blockDisconnected(ref: BlockRef, tx: FollowerTx): Promise<void> {
    await deleteSpendsOfBlock(tx, ref.hash);
  }

  /**
   * After each poll of the follower, outside its transactions: broadcasts (and rebroadcasts)
   * every claim due at the tip, and enqueues the events that became due.
   */
  async afterPoll(): Promise<void> {
    const { db, chain, book } = this.deps;
    const tipHeight = (await chain.getTip()).height;
    const feeStates = await loadClaimFeeStates(db);
    const spendsByChannel = groupByChannel(await loadSpends(db));
    for (const spends of spendsByChannel.values()) {
      const { tenant, channelId } = spends[0]!;
      const entry = book.get(tenant, channelId);
      if (entry === undefined) continue;
      const records = await recordLookup(db, tenant, channelId);
      const resolution = resolveChannel({ monitor: entry.monitor, records, spends, tipHeight });
      this.logUnclaimable(channelId, resolution);
      if (resolution.settledAt !== undefined && tipHeight - resolution.settledAt >= DEFAULT_KEEP_BLOCKS) {
        // Deeper than any reorg the follower follows: nothing about it can change any more.
        await deleteChannelEnforcement(db, tenant, channelId);
        this.deps.log.info({ channelId: toHex(channelId) }, 'channel resolved on-chain');
        continue;
      }
      if (resolution.fundingSpend !== undefined)
        await enterLockdown(db, book, tenant, channelId, 'fundingSpendSeen');
      await this.enqueueEvents(tenant, resolution.events, tipHeight);
      for (const htlcTx of resolution.holderHtlcTxs)
        await this.broadcast(channelId, htlcTx, 'holder HTLC tx');
      for (const claim of resolution.claims) {
        const context = { tenant, channelId, destinationScript: entry.monitor.destinationScript, tipHeight };
        const key = storedClaimKey(tenant, channelId, claim);
        await this.claim({ ...claim, key }, context, feeStates.get(toHex(key)));
      }
    }
    for (const { tenant, channelId, entry } of book.channels()) {
      // A channel whose funding output was seen spent is the resolution's (or resolved).
      if (entry.monitor.fundingSpendSeen) continue;
      if (holderBroadcastReason(entry.monitor, tipHeight) === undefined) continue;
      if (!spendsByChannel.has(channelKeyOf(tenant, channelId)))
        await this.broadcastHolderIfDue(tenant, channelId, entry.monitor, tipHeight);
    }
  }

  /**
   * Broadcasts our latest commitment when holder-broadcast.ts says so (and again at every poll
   * until the funding output is spent), after committing the lockdown that signing it means.
   */
  private async broadcastHolderIfDue(
    tenant: Uint8Array,
    channelId: Uint8Array,
    monitor: ChannelMonitor,
    tipHeight: number,
  ): Promise<void> {
    const reason = holderBroadcastReason(monitor, tipHeight);
    if (reason === undefined) return;
    await enterLockdown(this.deps.db, this.deps.book, tenant, channelId, 'holderCommitmentSigned');
    const locked = this.deps.book.get(tenant, channelId)?.monitor ?? monitor;
    await this.enqueueEvents(
      tenant,
      [
        {
          kind: 'holderForceClosedWithInfo',
          channelId,
          fundingOutpoint: locked.parameters.fundingOutpoint,
          reason,
        },
      ],
      tipHeight,
    );
    await this.broadcast(channelId, holderCommitmentTx(locked, 'current'), 'holder commitment', { reason });
  }

  private async claim(
    claim: PlannedClaim,
    context: { tenant: Uint8Array; channelId: Uint8Array; destinationScript: Uint8Array; tipHeight: number },
    previous: Parameters<typeof claimFeerate>[0]['previous'],
  ): Promise<void> {
    const { tenant, channelId, destinationScript, tipHeight } = context;
    const valueSat = claim.inputs.reduce((sum, i) => sum + i.valueSat, 0n);
    const weight = claimWeight(claim.inputs, destinationScript);
    const feeratePerKw = claimFeerate({
      previous,
      estimatePerKw: await this.deps.chain.estimateFeeratePerKw(
        confirmationTarget(claim.deadlineHeight, tipHeight),
      ),
      tipHeight,
      deadlineHeight: claim.deadlineHeight,
      maxFeeratePerKw: Math.floor(Number((valueSat * 1000n) / 2n) / weight),
    });
    let tx: Transaction;
    try {
      tx = buildClaimTx(claim.inputs, destinationScript, feeratePerKw);
    } catch (e) {
      if (!(e instanceof ClaimNotWorthwhileError)) throw e;
      this.deps.log.warn(
        { channelId: toHex(channelId), valueSat: valueSat.toString(), err: e.message },
        'claim not worth its fee',
      );
      return;
    }
    const refusedForFee = !(await this.broadcast(channelId, tx, 'claim', {
      feeratePerKw,
      valueSat: valueSat.toString(),
    }));
    const next = {
      feeratePerKw,
      // A rebroadcast at the same feerate keeps the height it was first sent at.
      broadcastHeight:
        previous?.feeratePerKw === feeratePerKw && !refusedForFee ? previous.broadcastHeight : tipHeight,
      refusedForFee,
      txid: txidOf(tx),
    };
    const unchanged =
      previous !== undefined &&
      previous.feeratePerKw === next.feeratePerKw &&
      previous.broadcastHeight === next.broadcastHeight &&
      previous.refusedForFee === next.refusedForFee;
    if (!unchanged) await saveClaimFeeState(this.deps.db, { key: claim.key, tenant, channelId }, next);
  }

  /** Broadcasts `tx`; false only when the node refused it for its fee. */
  private async broadcast(
    channelId: Uint8Array,
    tx: Transaction,
    what: string,
    fields: Record<string, unknown> = {},
  ): Promise<boolean> {
    const log = { channelId: toHex(channelId), txid: txidHex(tx), ...fields };
    try {
      const result = await this.deps.chain.broadcast(tx);
      if (result === 'accepted') this.deps.log.info(log, `${what} broadcast`);
      return true;
    } catch (e) {
      if (!(e instanceof TxRejectedError)) throw e;
      this.deps.log.warn({ ...log, reason: e.reason }, `${what} refused`);
      return e.kind !== 'insufficient-fee';
    }
  }

  private async enqueueEvents(
    tenant: Uint8Array,
    events: readonly MonitorEvent[],
    height: number,
  ): Promise<void> {
    // Due events are recomputed at every poll: skip, without a transaction, those enqueued before.
    const fresh = events
      // Keyed with the tenant: both ends of one channel may be tenants of this monitor.
      .map((event) => ({ event, hash: sha256(concatBytes(tenant, encodeMonitorEvent(event))) }))
      .filter(({ hash }) => !this.enqueued.has(toHex(hash)));
    if (fresh.length === 0) return;
    let enqueued = 0;
    await this.deps.db.begin(async (tx) => {
      for (const { event, hash } of fresh) {
        if (!(await markEventEnqueued(tx, hash, tenant, height))) continue;
        await enqueueEvent(tx, tenant, event);
        enqueued++;
      }
    });
    // Only after the commit: a rolled-back event must be tried again.
    for (const { hash } of fresh) this.enqueued.add(toHex(hash));
    if (enqueued > 0) this.deps.notifyEvents(tenant);
  }

  private logUnclaimable(channelId: Uint8Array, resolution: ChannelResolution): void {
    const kind = resolution.fundingSpend?.kind;
    if (kind === 'revokedUnknown' || kind === 'unknownCommitment') {
      this.deps.log.error(
        { channelId: toHex(channelId), txid: toHex(resolution.fundingSpend!.txid), kind },
        'funding spent by a commitment this monitor cannot claim against',
      );
    }
  }
}

/** The outpoints below the funding outputs that the stored spends make watched. */
function watchedOutputs(spends: readonly ChainSpend[]): WatchedOutpoints {
  const watched = new WatchedOutpoints();
  // Oldest first: a spend's own outpoint was made watched by an earlier one (or is a funding output).
  for (const spend of spends) {
    const depth = (watched.get(spend.spent)[0]?.depth ?? 0) + 1;
    watchOutputs(watched, spend, depth);
  }
  return watched;
}

/** Watches every output of `spend`'s transaction for its channel, at `depth`, unless too deep. */
function watchOutputs(watched: WatchedOutpoints, spend: ChainSpend, depth: number): void {
  if (depth > MAX_WATCH_DEPTH) return;
  const spendingTxid = txidOf(spend.tx);
  const channel = { tenant: spend.tenant, channelId: spend.channelId };
  spend.tx.outputs.forEach((_, vout) => watched.add({ txid: spendingTxid, vout }, { channel, depth }));
}

/**
 * A claim's key in enforcement_claims: its outpoints' key (channel-resolution.ts) bound to the
 * tenant and channel, as two tenants' monitors of one channel claim the same outpoints.
 */
function storedClaimKey(tenant: Uint8Array, channelId: Uint8Array, claim: PlannedClaim): Uint8Array {
  return sha256(concatBytes(tenant, channelId, claim.key));
}

function groupByChannel(spends: readonly ChainSpend[]): Map<string, ChainSpend[]> {
  const groups = new Map<string, ChainSpend[]>();
  for (const spend of spends) {
    const key = channelKeyOf(spend.tenant, spend.channelId);
    groups.set(key, [...(groups.get(key) ?? []), spend]);
  }
  return groups;
}

/** The channel's stored counterparty commitment records, by commitment number. */
async function recordLookup(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
): Promise<(commitmentNumber: number) => CounterpartyCommitment | undefined> {
  const records = new Map(
    (await channelRecords(sql, tenant, channelId)).map((r) => [r.commitmentNumber, r.bytes]),
  );
  return (commitmentNumber) => {
    const bytes = records.get(commitmentNumber);
    return bytes === undefined ? undefined : decodeCounterpartyCommitment(bytes);
  };
}
