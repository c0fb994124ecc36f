/**
 * Serialized sizes of the monitor model (proto/vigil/monitor/v1/model.proto): a one-step
 * `ChannelMonitorUpdate` of each kind, then the `ChannelMonitor` snapshot as payments flow through
 * a channel, to show the snapshot stays constant-size (DESIGN.md "The domain"; LDK issue #3049).
 *
 * Every state is real: commitments are built from the channel's parameters and signed with the
 * counterparty's keys, and every update goes through `applyUpdate`, which verifies the signatures
 * and txids a monitor would. That makes 10,000 payments take minutes.
 * Run: `npm run bench:sizes`.
 */
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import type {
  ChannelMonitor,
  CounterpartyCommitment,
  HolderCommitment,
  MonitorHtlc,
} from '@vigil/shared/monitor-model/channel-monitor';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdateStep } from '@vigil/shared/monitor-model/monitor-update';
import {
  encodeChannelMonitor,
  encodeChannelMonitorUpdate,
  encodeCounterpartyCommitment,
} from '@vigil/shared/monitor-model/proto-codec';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';

const PAYMENTS = 10_000;
const CHECKPOINTS = new Set([0, 100, 1_000, 10_000]);
const PAYMENT_MSAT = 5_000_000n;

/** Balances and pending HTLCs as the holder sees them (`offered` = offered by the holder). */
interface ChannelState {
  readonly toHolderMsat: bigint;
  readonly toCounterpartyMsat: bigint;
  readonly htlcs: readonly MonitorHtlc[];
}

/**
 * A 1 BTC channel from the test fixture (both parties' keys, so real signatures), described from
 * the holder's side: the counterparty's commitments carry the same HTLCs in the other direction.
 */
class BenchChannel {
  readonly fixture = new ChannelFixture({ fundingValueSat: 100_000_000n });
  readonly channelId = this.fixture.channelId;

  holderCommitment(n: number, state: ChannelState): HolderCommitment {
    return this.fixture.holderCommitment(n, state);
  }

  counterpartyCommitment(n: number, state: ChannelState): CounterpartyCommitment {
    const htlcs = state.htlcs.map((htlc) => ({ ...htlc, offered: !htlc.offered }));
    return this.fixture.counterpartyCommitment(n, { ...state, htlcs });
  }

  /** The step revealing the counterparty's secret for its commitment `n`. */
  revocation(n: number): ChannelMonitorUpdateStep {
    return { kind: 'commitmentSecret', ...this.fixture.counterpartySecret(n) };
  }
}

/** Payment `i`'s preimage and the HTLC the holder offers for it. */
function paymentHtlc(i: number): { preimage: Uint8Array; htlc: MonitorHtlc } {
  const preimage = sha256(Uint8Array.of(0xa0, i >> 16, i >> 8, i));
  const htlc = {
    htlcId: BigInt(i),
    offered: true,
    amountMsat: PAYMENT_MSAT,
    paymentHash: sha256(preimage),
    cltvExpiry: 800_000 + (i % 1000),
  };
  return { preimage, htlc };
}

function updateBytes(channel: BenchChannel, step: ChannelMonitorUpdateStep): number {
  return encodeChannelMonitorUpdate({ channelId: channel.channelId, updateId: 1, steps: [step] }).length;
}

/** The size of a one-step update of each kind, from states like those of the payment loop. */
function stepSizes(channel: BenchChannel, start: ChannelState): [string, number][] {
  const fiveHtlcs = { ...start, htlcs: [0, 1, 2, 3, 4].map((i) => paymentHtlc(i).htlc) };
  const counterparty5 = channel.counterpartyCommitment(1, fiveHtlcs);
  return [
    [
      'latestHolderCommitment, 0 HTLCs',
      updateBytes(channel, {
        kind: 'latestHolderCommitment',
        commitment: channel.holderCommitment(1, start),
      }),
    ],
    [
      'latestHolderCommitment, 5 HTLCs',
      updateBytes(channel, {
        kind: 'latestHolderCommitment',
        commitment: channel.holderCommitment(1, fiveHtlcs),
      }),
    ],
    [
      'latestCounterpartyCommitment, 0 HTLCs',
      updateBytes(channel, {
        kind: 'latestCounterpartyCommitment',
        commitment: channel.counterpartyCommitment(1, start),
      }),
    ],
    [
      'latestCounterpartyCommitment, 5 HTLCs',
      updateBytes(channel, { kind: 'latestCounterpartyCommitment', commitment: counterparty5 }),
    ],
    ['commitmentSecret', updateBytes(channel, channel.revocation(0))],
    ['paymentPreimage', updateBytes(channel, { kind: 'paymentPreimage', preimage: paymentHtlc(0).preimage })],
    ['channelForceClosed', updateBytes(channel, { kind: 'channelForceClosed', shouldBroadcast: true })],
    [
      'shutdownScript (P2WPKH)',
      updateBytes(channel, { kind: 'shutdownScript', script: Uint8Array.of(0, 20, ...new Uint8Array(20)) }),
    ],
    ['counterparty commitment record, 5 HTLCs', encodeCounterpartyCommitment(counterparty5).length],
  ];
}

/** Applies `steps` as one update each, as the manager emits them. */
function applyAll(
  monitor: ChannelMonitor,
  channel: BenchChannel,
  steps: ChannelMonitorUpdateStep[],
): ChannelMonitor {
  return steps.reduce(
    (m, step) =>
      applyUpdate(m, { channelId: channel.channelId, updateId: m.latestUpdateId + 1, steps: [step] }).monitor,
    monitor,
  );
}

/**
 * Payment `i` from the holder, commitments `n = 2i` to `2i + 2` on both sides: the HTLC is added
 * (counterparty commitment, revocation, holder commitment), the preimage arrives, and the settle
 * round removes the HTLC again.
 */
function pay(
  monitor: ChannelMonitor,
  channel: BenchChannel,
  i: number,
  before: ChannelState,
): [ChannelMonitor, ChannelState] {
  const n = 2 * i;
  const { preimage, htlc } = paymentHtlc(i);
  const pending = { ...before, toHolderMsat: before.toHolderMsat - PAYMENT_MSAT, htlcs: [htlc] };
  const settled = { ...pending, toCounterpartyMsat: before.toCounterpartyMsat + PAYMENT_MSAT, htlcs: [] };
  const next = applyAll(monitor, channel, [
    { kind: 'latestCounterpartyCommitment', commitment: channel.counterpartyCommitment(n + 1, pending) },
    channel.revocation(n),
    { kind: 'latestHolderCommitment', commitment: channel.holderCommitment(n + 1, pending) },
    { kind: 'paymentPreimage', preimage },
    { kind: 'latestCounterpartyCommitment', commitment: channel.counterpartyCommitment(n + 2, settled) },
    channel.revocation(n + 1),
    { kind: 'latestHolderCommitment', commitment: channel.holderCommitment(n + 2, settled) },
  ]);
  return [next, settled];
}

function print(name: string, value: string): void {
  console.log(`${name.padEnd(48)} ${value}`);
}

const channel = new BenchChannel();
const start: ChannelState = { toHolderMsat: 90_000_000_000n, toCounterpartyMsat: 10_000_000_000n, htlcs: [] };

console.log('One-step ChannelMonitorUpdate, bytes');
for (const [name, size] of stepSizes(channel, start)) print(name, size.toLocaleString('en-US'));

console.log(`\nChannelMonitor snapshot after N payments (each: 7 updates), bytes`);
let monitor = createChannelMonitor(channel.fixture.init(start)).monitor;
let state = start;
const started = process.hrtime.bigint();
for (let i = 0; i <= PAYMENTS; i++) {
  if (CHECKPOINTS.has(i)) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const size = encodeChannelMonitor(monitor).length.toLocaleString('en-US');
    print(
      `${i.toLocaleString('en-US')} payments`,
      `${size}  (${monitor.counterpartySecrets.count} secrets, ${seconds.toFixed(0)} s)`,
    );
  }
  if (i < PAYMENTS) [monitor, state] = pay(monitor, channel, i, state);
}
