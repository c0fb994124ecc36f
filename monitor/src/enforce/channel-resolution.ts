/**
 * What one channel is owed on-chain at the tip (DESIGN.md "Enforcement"; BOLT 5): a pure function
 * of the channel's monitor, its counterparty commitment records, the spends of its watched
 * outpoints on the best chain, and the tip height. The Enforcer recomputes it at every block, so
 * a reorg needs nothing but forgetting the spends of the disconnected blocks: the claims and
 * events those spends had settled come back by themselves.
 *
 * From the funding spend (classify-spend.ts) it derives the claim inputs (claim-inputs.ts) and
 * follows each through the chain:
 * - not spent: outstanding, claimed once its CSV and CLTV allow;
 * - spent by our claim (the only transaction paying the tenant's destination alone): settled,
 *   confirmed after ANTI_REORG_DELAY blocks (`claimConfirmed`, `spendableOutputs`);
 * - spent by the counterparty: a second-stage HTLC transaction on its revoked commitment is
 *   punished in turn (`revokedSecondStage`); a witness revealing a payment preimage is reported
 *   at once (`htlcResolved` with the preimage); otherwise the output is the counterparty's.
 * Our own commitment adds our pre-signed HTLC transactions, broadcast once valid, and the
 * CSV-delayed outputs of those that confirmed.
 *
 * Invariants:
 * - Deterministic: same inputs, same resolution (claims grouped and keyed by their outpoints).
 * - An event is produced only once its condition holds on the best chain; the Enforcer enqueues
 *   each distinct event once. A failure (`htlcResolved` without preimage) waits for
 *   ANTI_REORG_DELAY confirmations, a preimage does not (DESIGN.md "The domain").
 */
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { type OutPoint, type Transaction, txid as txidOf } from '@vigil/shared/bitcoin/tx';
import { compareBytes, concatBytes, equalBytes, toHex } from '@vigil/shared/bytes';
import type { ChannelMonitor, MonitorHtlc } from '@vigil/shared/monitor-model/channel-monitor';
import { ANTI_REORG_DELAY, type MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import type { ClaimInput } from './claim-input.js';
import {
  counterpartyCommitmentInputs,
  holderDelayedInputs,
  holderHtlcTxs,
  revokedCommitmentInputs,
  revokedSecondStageInput,
} from './claim-inputs.js';
import { type CounterpartyRecordLookup, classifyFundingSpend, type FundingSpend } from './classify-spend.js';
import type { ChainSpend } from './enforcement-store.js';
import { outpointKey } from './watched-outpoints.js';

export interface ResolutionInput {
  readonly monitor: ChannelMonitor;
  readonly records: CounterpartyRecordLookup;
  /** This channel's spends on the best chain. */
  readonly spends: readonly ChainSpend[];
  readonly tipHeight: number;
}

/** Inputs claimed together, valid in the next block. */
export interface PlannedClaim {
  /** SHA256 of the sorted outpoints: the claim's identity across fee bumps. */
  readonly key: Uint8Array;
  readonly inputs: readonly ClaimInput[];
  /** The earliest deadline among the inputs, if any. */
  readonly deadlineHeight: number | undefined;
}

export interface ChannelResolution {
  /** How the funding output was spent; undefined while it is not. */
  readonly fundingSpend: FundingSpend | undefined;
  readonly claims: readonly PlannedClaim[];
  /** Our pre-signed HTLC transactions valid in the next block and not yet confirmed. */
  readonly holderHtlcTxs: readonly Transaction[];
  /** Every event whose condition holds at the tip (already enqueued ones included). */
  readonly events: readonly MonitorEvent[];
  /**
   * When nothing is left to claim, broadcast or confirm: the height of the channel's last spend
   * (the engine forgets the channel once that is deeper than any reorg it follows).
   */
  readonly settledAt: number | undefined;
}

/** An input with the height of the transaction that created its output. */
interface Owed {
  readonly input: ClaimInput;
  readonly sourceHeight: number;
}

const NOTHING: ChannelResolution = {
  fundingSpend: undefined,
  claims: [],
  holderHtlcTxs: [],
  events: [],
  settledAt: undefined,
};

export function resolveChannel(input: ResolutionInput): ChannelResolution {
  const { monitor, spends, tipHeight } = input;
  const spentBy = new Map(spends.map((s) => [outpointKey(s.spent), s]));
  const funding = spentBy.get(outpointKey(monitor.parameters.fundingOutpoint));
  if (funding === undefined) return NOTHING;
  const fundingSpend = classifyFundingSpend(monitor, funding.tx, input.records);
  const confirmed = (height: number) => tipHeight - height + 1 >= ANTI_REORG_DELAY;
  const events: MonitorEvent[] = [];
  const htlcEvent = (htlc: MonitorHtlc, preimage: Uint8Array | undefined): MonitorEvent => ({
    kind: 'htlcResolved',
    channelId: monitor.channelId,
    htlcId: htlc.htlcId,
    paymentHash: htlc.paymentHash,
    preimage,
    valueSat: htlc.amountMsat / 1000n,
  });
  if (fundingSpend.kind !== 'cooperativeClose' && confirmed(funding.height)) {
    events.push({ kind: 'commitmentTxConfirmed', channelId: monitor.channelId, txid: fundingSpend.txid });
  }

  const owed: Owed[] = [];
  const holderTxs: Transaction[] = [];
  /** Our HTLC transactions not yet on the chain (valid now or later). */
  let unconfirmedHolderTxs = 0;
  /** Ids of our outbound HTLCs with an output on the confirmed commitment. */
  const outboundOnChain = new Set<bigint>();
  const fromFunding = (inputs: readonly ClaimInput[]) =>
    owed.push(...inputs.map((i) => ({ input: i, sourceHeight: funding.height })));
  switch (fundingSpend.kind) {
    case 'revokedCounterpartyCommitment':
      fromFunding(
        revokedCommitmentInputs(
          monitor,
          fundingSpend.record,
          fundingSpend.perCommitmentSecret,
          funding.tx,
          funding.height,
        ),
      );
      break;
    case 'counterpartyCommitment':
      fromFunding(
        counterpartyCommitmentInputs(monitor, fundingSpend.record, funding.tx, monitor.paymentPreimages),
      );
      break;
    case 'holderCommitment': {
      const which = fundingSpend.which;
      fromFunding(holderDelayedInputs(monitor, which, funding.tx));
      for (const htlcTx of holderHtlcTxs(monitor, which, monitor.paymentPreimages)) {
        if (htlcTx.htlc.offered) outboundOnChain.add(htlcTx.htlc.htlcId);
        const spend = spentBy.get(outpointKey(htlcTx.tx.inputs[0]!.prevout));
        if (spend === undefined) {
          unconfirmedHolderTxs++;
          if (htlcTx.locktime <= tipHeight) holderTxs.push(htlcTx.tx);
        } else if (equalBytes(txidOf(spend.tx), txidOf(htlcTx.tx))) {
          owed.push(
            ...holderDelayedInputs(monitor, which, spend.tx).map((i) => ({
              input: i,
              sourceHeight: spend.height,
            })),
          );
          if (htlcTx.htlc.offered && confirmed(spend.height)) events.push(htlcEvent(htlcTx.htlc, undefined));
          if (!htlcTx.htlc.offered) {
            const preimage = monitor.paymentPreimages.get(toHex(htlcTx.htlc.paymentHash));
            events.push(htlcEvent(htlcTx.htlc, preimage));
          }
        } else {
          const preimage = revealedPreimage(spend, htlcTx.htlc.paymentHash);
          if (preimage !== undefined) events.push(htlcEvent(htlcTx.htlc, preimage));
        }
      }
      break;
    }
    // A cooperative close pays the tenant directly. A revoked commitment without its record, or
    // one matching nothing, leaves nothing these inputs can claim (the Enforcer logs it loudly).
    case 'cooperativeClose':
    case 'revokedUnknown':
    case 'unknownCommitment':
      break;
  }

  const outstanding: Owed[] = [];
  const claimTxs = new Map<string, ChainSpend>();
  // `owed` grows while it is walked: a punished second stage adds its output.
  for (let i = 0; i < owed.length; i++) {
    const { input: claim } = owed[i]!;
    if (isOutbound(claim)) outboundOnChain.add(claim.htlc!.htlcId);
    const spend = spentBy.get(outpointKey(claim.outpoint));
    if (spend === undefined) {
      outstanding.push(owed[i]!);
    } else if (isOurClaim(spend.tx, monitor.destinationScript)) {
      claimTxs.set(toHex(txidOf(spend.tx)), spend);
      // Our outbound HTLC came back to us by timeout or revocation: failed, once deep enough.
      if (isOutbound(claim) && confirmed(spend.height)) events.push(htlcEvent(claim.htlc!, undefined));
      if (claim.kind === 'counterpartyHtlcPreimage') events.push(htlcEvent(claim.htlc!, claim.preimage));
    } else if (claim.kind === 'revokedHtlc' && fundingSpend.kind === 'revokedCounterpartyCommitment') {
      const { record, perCommitmentSecret } = fundingSpend;
      owed.push({
        input: revokedSecondStageInput(monitor, record, perCommitmentSecret, spend.tx, spend.height, 0),
        sourceHeight: spend.height,
      });
      learnPreimage(claim, spend);
    } else {
      learnPreimage(claim, spend);
    }
  }

  function learnPreimage(claim: ClaimInput, spend: ChainSpend): void {
    if (claim.htlc === undefined) return;
    const preimage = revealedPreimage(spend, claim.htlc.paymentHash);
    if (preimage !== undefined) events.push(htlcEvent(claim.htlc, preimage));
  }

  // Outbound HTLCs of our latest states with no output on the confirmed commitment (dust, or
  // only on another commitment) can never be claimed with a preimage on-chain: failed once the
  // commitment is ANTI_REORG_DELAY deep (LDK's fail_unbroadcast_htlcs).
  if (fundingSpend.kind !== 'cooperativeClose' && confirmed(funding.height)) {
    const revealed = new Set(
      events.flatMap((e) => (e.kind === 'htlcResolved' && e.preimage !== undefined ? [e.htlcId] : [])),
    );
    for (const htlc of latestOutboundHtlcs(monitor)) {
      if (!outboundOnChain.has(htlc.htlcId) && !revealed.has(htlc.htlcId))
        events.push(htlcEvent(htlc, undefined));
    }
  }

  for (const spend of claimTxs.values()) {
    if (!confirmed(spend.height)) continue;
    const claimTxid = txidOf(spend.tx);
    events.push({ kind: 'claimConfirmed', channelId: monitor.channelId, txid: claimTxid });
    events.push({
      kind: 'spendableOutputs',
      channelId: monitor.channelId,
      outputs: spend.tx.outputs.map((output, vout) => ({
        outpoint: { txid: claimTxid, vout },
        valueSat: output.valueSat,
        scriptPubKey: output.scriptPubKey,
      })),
    });
  }

  const settled =
    confirmed(funding.height) &&
    outstanding.length === 0 &&
    unconfirmedHolderTxs === 0 &&
    [...claimTxs.values()].every((spend) => confirmed(spend.height));
  return {
    fundingSpend,
    claims: planClaims(outstanding, tipHeight),
    holderHtlcTxs: holderTxs,
    events,
    settledAt: settled ? Math.max(...spends.map((s) => s.height)) : undefined,
  };
}

/** An HTLC output holding an HTLC we offered (the counterparty's records say `offered: false`). */
function isOutbound(claim: ClaimInput): boolean {
  return (
    claim.kind === 'counterpartyHtlcTimeout' ||
    (claim.kind === 'revokedHtlc' && claim.htlc !== undefined && !claim.htlc.offered)
  );
}

/**
 * Our outbound HTLCs still pending in the commitments that may confirm unpunished (our current
 * one, the counterparty's unrevoked ones), each once, as we offered them. Not our previous
 * commitment: we revoked it, and what it holds may have been settled since. Not an HTLC whose
 * preimage we know: it was fulfilled.
 */
function latestOutboundHtlcs(monitor: ChannelMonitor): MonitorHtlc[] {
  const byId = new Map<bigint, MonitorHtlc>();
  for (const htlc of monitor.currentHolderCommitment.htlcs) if (htlc.offered) byId.set(htlc.htlcId, htlc);
  for (const commitment of monitor.unrevokedCounterpartyCommitments)
    for (const htlc of commitment.htlcs) if (!htlc.offered) byId.set(htlc.htlcId, { ...htlc, offered: true });
  return [...byId.values()].filter((htlc) => !monitor.paymentPreimages.has(toHex(htlc.paymentHash)));
}

/** Our claims pay the tenant's destination script and nothing else (claim-tx.ts). */
function isOurClaim(tx: Transaction, destinationScript: Uint8Array): boolean {
  return tx.outputs.length === 1 && equalBytes(tx.outputs[0]!.scriptPubKey, destinationScript);
}

/** The 32-byte witness item of the spending input that hashes to `paymentHash`, if any. */
function revealedPreimage(spend: ChainSpend, paymentHash: Uint8Array): Uint8Array | undefined {
  const witness = spend.tx.inputs[spend.inputIndex]?.witness ?? [];
  return witness.find((item) => item.length === 32 && equalBytes(sha256(item), paymentHash));
}

/**
 * The outstanding inputs valid in the next block (tip + 1): its nLockTime at most the tip, its
 * CSV delay elapsed since the output's transaction confirmed (BIP 68 counts that block as one).
 * Aggregable inputs of one transaction share a claim; every other input has its own.
 */
function planClaims(outstanding: readonly Owed[], tipHeight: number): PlannedClaim[] {
  const groups = new Map<string, ClaimInput[]>();
  for (const { input, sourceHeight } of outstanding) {
    if (input.locktime > tipHeight) continue;
    if (input.csvDelay > 0 && tipHeight + 1 - sourceHeight < input.csvDelay) continue;
    const group = input.aggregable
      ? `tx:${toHex(input.outpoint.txid)}`
      : `out:${outpointKey(input.outpoint)}`;
    groups.set(group, [...(groups.get(group) ?? []), input]);
  }
  return [...groups.values()].map((inputs) => ({
    key: claimKey(inputs.map((i) => i.outpoint)),
    inputs,
    deadlineHeight: earliest(inputs.map((i) => i.deadlineHeight)),
  }));
}

function claimKey(outpoints: readonly OutPoint[]): Uint8Array {
  const encoded = outpoints.map((o) =>
    concatBytes(o.txid, Uint8Array.of(o.vout >>> 24, o.vout >>> 16, o.vout >>> 8, o.vout)),
  );
  return sha256(concatBytes(...encoded.sort(compareBytes)));
}

function earliest(heights: readonly (number | undefined)[]): number | undefined {
  const known = heights.filter((h): h is number => h !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}
