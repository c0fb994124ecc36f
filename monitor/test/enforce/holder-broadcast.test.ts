/**
 * When the monitor must broadcast our commitment (holder-broadcast.ts), on monitors built from the
 * fixture's real commitments: outbound HTLCs LATENCY_GRACE_PERIOD_BLOCKS after their expiry,
 * whether on our commitment or only on the counterparty's; inbound ones with a known preimage
 * CLTV_CLAIM_BUFFER blocks before; the manager's force close at once.
 */
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import type { ChannelMonitor, MonitorHtlc } from '@vigil/shared/monitor-model/channel-monitor';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdateStep } from '@vigil/shared/monitor-model/monitor-update';
import { ChannelFixture, payment } from '@vigil/test/fixtures/channel-fixture';
import { describe, expect, it } from 'vitest';
import { holderBroadcastReason } from '../../src/enforce/holder-broadcast.js';

const fx = new ChannelFixture();
const balances = { toHolderMsat: 600_000_000n, toCounterpartyMsat: 400_000_000n };
const EXPIRY = 500;

function htlc(offered: boolean, n: number): MonitorHtlc {
  return {
    htlcId: 0n,
    offered,
    amountMsat: 10_000_000n,
    paymentHash: payment(n).paymentHash,
    cltvExpiry: EXPIRY,
  };
}

/** A monitor after `steps`, applied as updates 1, 2, ... to the fixture's new channel. */
function monitorAfter(...steps: ChannelMonitorUpdateStep[]): ChannelMonitor {
  return steps.reduce(
    (m, step, i) => applyUpdate(m, { channelId: fx.channelId, updateId: i + 1, steps: [step] }).monitor,
    createChannelMonitor(fx.init(balances)).monitor,
  );
}

const lessHtlc = {
  toHolderMsat: balances.toHolderMsat - 10_000_000n,
  toCounterpartyMsat: balances.toCounterpartyMsat,
};

describe('holderBroadcastReason', () => {
  it('broadcasts for an outbound HTLC on our commitment at cltv_expiry + 3, not before', () => {
    const monitor = monitorAfter({
      kind: 'latestHolderCommitment',
      commitment: fx.holderCommitment(1, { ...lessHtlc, htlcs: [htlc(true, 1)] }),
    });
    expect(holderBroadcastReason(monitor, EXPIRY + 2)).toBeUndefined();
    expect(holderBroadcastReason(monitor, EXPIRY + 3)).toBe(`outbound HTLC 0 expired at height ${EXPIRY}`);
  });

  it('broadcasts for an outbound HTLC only on the counterparty commitment (mid-dance)', () => {
    const monitor = monitorAfter({
      kind: 'latestCounterpartyCommitment',
      commitment: fx.counterpartyCommitment(1, { ...lessHtlc, htlcs: [htlc(false, 2)] }),
    });
    expect(monitor.currentHolderCommitment.htlcs).toEqual([]);
    expect(holderBroadcastReason(monitor, EXPIRY + 2)).toBeUndefined();
    expect(holderBroadcastReason(monitor, EXPIRY + 3)).toBe(`outbound HTLC 0 expired at height ${EXPIRY}`);
  });

  it('broadcasts for an inbound HTLC with a known preimage CLTV_CLAIM_BUFFER blocks before expiry', () => {
    const inbound = htlc(false, 3);
    const holder = {
      toHolderMsat: balances.toHolderMsat,
      toCounterpartyMsat: balances.toCounterpartyMsat - 10_000_000n,
    };
    const withoutPreimage = monitorAfter({
      kind: 'latestHolderCommitment',
      commitment: fx.holderCommitment(1, { ...holder, htlcs: [inbound] }),
    });
    expect(holderBroadcastReason(withoutPreimage, EXPIRY)).toBeUndefined();
    const withPreimage = monitorAfter(
      { kind: 'latestHolderCommitment', commitment: fx.holderCommitment(1, { ...holder, htlcs: [inbound] }) },
      { kind: 'paymentPreimage', preimage: payment(3).preimage },
    );
    expect(holderBroadcastReason(withPreimage, EXPIRY - 37)).toBeUndefined();
    expect(holderBroadcastReason(withPreimage, EXPIRY - 36)).toBe(
      `inbound HTLC 0 with a known preimage expires at height ${EXPIRY}`,
    );
  });

  it('broadcasts at once after the manager force-closed asking for it, and never otherwise', () => {
    expect(holderBroadcastReason(monitorAfter(), 1_000_000)).toBeUndefined();
    const closed = monitorAfter({ kind: 'channelForceClosed', shouldBroadcast: true });
    expect(holderBroadcastReason(closed, 0)).toBe('the manager force-closed the channel');
    const closedQuietly = monitorAfter({ kind: 'channelForceClosed', shouldBroadcast: false });
    expect(holderBroadcastReason(closedQuietly, 1_000_000)).toBeUndefined();
  });
});
