/**
 * Valid monitor records for monitor tests, from shared's two-party fixture (real keys, real
 * signatures): a channel's init and a series of updates that move 1,000 sat per round trip from
 * the holder to the counterparty, each round being three updates as a channel emits them
 * (counterparty commitment signed, its predecessor revoked, holder commitment received).
 */
import type { ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import type {
  ChannelMonitorUpdate,
  ChannelMonitorUpdateStep,
} from '@vigil/shared/monitor-model/monitor-update';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';

export const fixture = new ChannelFixture();

/** A channel id other than the fixture's (the same keys and commitments watch any id). */
export function channelIdOf(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

export function initOf(channelId: Uint8Array): ChannelMonitorInit {
  return { ...fixture.init(), channelId };
}

const FUNDING_MSAT = 1_000_000_000n;
const STEP_MSAT = 1_000_000n;

/** The balances of both sides' commitments number `round`. */
export function balancesOf(round: number) {
  const toHolderMsat = 700_000_000n - BigInt(round) * STEP_MSAT;
  return { toHolderMsat, toCounterpartyMsat: FUNDING_MSAT - toHolderMsat };
}

/** The step of update `updateId` (1, 2, ...) of the series. */
function stepOf(updateId: number): ChannelMonitorUpdateStep {
  const round = Math.ceil(updateId / 3);
  const balances = balancesOf(round);
  switch (updateId % 3) {
    case 1:
      return {
        kind: 'latestCounterpartyCommitment',
        commitment: fixture.counterpartyCommitment(round, balances),
      };
    case 2:
      return { kind: 'commitmentSecret', ...fixture.counterpartySecret(round - 1) };
    default:
      return { kind: 'latestHolderCommitment', commitment: fixture.holderCommitment(round, balances) };
  }
}

const steps = new Map<number, ChannelMonitorUpdateStep>();

/** Update `updateId` of the series for `channelId` (steps are computed once and shared). */
export function updateOf(channelId: Uint8Array, updateId: number): ChannelMonitorUpdate {
  let step = steps.get(updateId);
  if (step === undefined) steps.set(updateId, (step = stepOf(updateId)));
  return { channelId, updateId, steps: [step] };
}

/** Updates `from` to `to` inclusive. */
export function updatesOf(channelId: Uint8Array, from: number, to: number): ChannelMonitorUpdate[] {
  return Array.from({ length: to - from + 1 }, (_, i) => updateOf(channelId, from + i));
}
