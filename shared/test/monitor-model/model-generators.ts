/**
 * fast-check generators of monitor-model values with every field in range (lengths, 48-bit and
 * 32-bit numbers, u64 amounts) but no semantic consistency: the proto codec only checks shapes,
 * so any such value must survive a round trip.
 */
import fc from 'fast-check';
import { toHex } from '../../src/bytes.js';
import { sha256 } from '../../src/bitcoin/hash.js';
import type { ChannelParameters, ChannelPublicKeys } from '../../src/ln/channel-parameters.js';
import { ShachainStore } from '../../src/ln/shachain.js';
import type {
  ChannelMonitor,
  CounterpartyCommitment,
  HolderChannelSecrets,
  HolderCommitment,
  MonitorHtlc,
} from '../../src/monitor-model/channel-monitor.js';
import type { ChannelMonitorInit } from '../../src/monitor-model/create-monitor.js';
import type { MonitorEvent, SpendableOutput } from '../../src/monitor-model/monitor-event.js';
import type {
  ChannelMonitorUpdate,
  ChannelMonitorUpdateStep,
} from '../../src/monitor-model/monitor-update.js';
import type { OutPoint } from '../../src/bitcoin/tx.js';

/** `fc.record` with an ordinary prototype, so strict equality can compare it with a decoded value. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const hash = bytes(32);
const pubkey = bytes(33);
const signature = bytes(64);
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u48 = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const safeUint = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const script = fc.uint8Array({ minLength: 1, maxLength: 40 });

export const htlc: fc.Arbitrary<MonitorHtlc> = record({
  htlcId: u64,
  offered: fc.boolean(),
  amountMsat: u64,
  paymentHash: hash,
  cltvExpiry: u32,
});

export const holderCommitment: fc.Arbitrary<HolderCommitment> = record({
  commitmentNumber: u48,
  feeratePerKw: u32,
  toHolderMsat: u64,
  toCounterpartyMsat: u64,
  htlcs: fc.array(htlc, { maxLength: 3 }),
  counterpartySignature: signature,
  counterpartyHtlcSignatures: fc.array(signature, { maxLength: 3 }),
});

export const counterpartyCommitment: fc.Arbitrary<CounterpartyCommitment> = record({
  commitmentNumber: u48,
  txid: hash,
  perCommitmentPoint: pubkey,
  feeratePerKw: u32,
  toCounterpartyMsat: u64,
  toHolderMsat: u64,
  htlcs: fc.array(htlc, { maxLength: 3 }),
});

export const step: fc.Arbitrary<ChannelMonitorUpdateStep> = fc.oneof(
  holderCommitment.map((commitment) => ({ kind: 'latestHolderCommitment' as const, commitment })),
  counterpartyCommitment.map((commitment) => ({
    kind: 'latestCounterpartyCommitment' as const,
    commitment,
  })),
  hash.map((preimage) => ({ kind: 'paymentPreimage' as const, preimage })),
  record({ kind: fc.constant('commitmentSecret' as const), index: u48, secret: hash }),
  fc.boolean().map((shouldBroadcast) => ({ kind: 'channelForceClosed' as const, shouldBroadcast })),
  script.map((s) => ({ kind: 'shutdownScript' as const, script: s })),
);

export const update: fc.Arbitrary<ChannelMonitorUpdate> = record({
  channelId: hash,
  updateId: safeUint,
  steps: fc.array(step, { maxLength: 4 }),
});

const outpoint: fc.Arbitrary<OutPoint> = record({ txid: hash, vout: u32 });

const spendableOutput: fc.Arbitrary<SpendableOutput> = record({
  outpoint,
  valueSat: u64,
  scriptPubKey: script,
});

export const event: fc.Arbitrary<MonitorEvent> = fc.oneof(
  record({
    kind: fc.constant('htlcResolved' as const),
    channelId: hash,
    htlcId: u64,
    paymentHash: hash,
    preimage: fc.option(hash, { nil: undefined }),
    valueSat: u64,
  }),
  record({
    kind: fc.constant('holderForceClosedWithInfo' as const),
    channelId: hash,
    fundingOutpoint: outpoint,
    reason: fc.string({ maxLength: 40 }),
  }),
  record({ kind: fc.constant('commitmentTxConfirmed' as const), channelId: hash, txid: hash }),
  record({
    kind: fc.constant('spendableOutputs' as const),
    channelId: hash,
    outputs: fc.array(spendableOutput, { maxLength: 3 }),
  }),
  record({ kind: fc.constant('claimConfirmed' as const), channelId: hash, txid: hash }),
);

const publicKeys: fc.Arbitrary<ChannelPublicKeys> = record({
  fundingPubkey: pubkey,
  revocationBasepoint: pubkey,
  paymentBasepoint: pubkey,
  delayedPaymentBasepoint: pubkey,
  htlcBasepoint: pubkey,
});

const secrets: fc.Arbitrary<HolderChannelSecrets> = record({
  fundingKey: hash,
  revocationBasepointSecret: hash,
  paymentBasepointSecret: hash,
  delayedPaymentBasepointSecret: hash,
  htlcBasepointSecret: hash,
  commitmentSeed: hash,
});

const parameters: fc.Arbitrary<ChannelParameters> = record({
  fundingOutpoint: outpoint,
  fundingValueSat: u64,
  holderIsFunder: fc.boolean(),
  holderPubkeys: publicKeys,
  counterpartyPubkeys: publicKeys,
  holderSelectedContestDelay: u16,
  counterpartySelectedContestDelay: u16,
  holderDustLimitSat: u64,
  counterpartyDustLimitSat: u64,
});

export const init: fc.Arbitrary<ChannelMonitorInit> = fc.record(
  {
    channelId: hash,
    counterpartyNodeId: pubkey,
    parameters,
    secrets,
    destinationScript: script,
    shutdownScript: script,
    initialHolderCommitment: holderCommitment,
    initialCounterpartyCommitment: counterpartyCommitment,
  },
  {
    noNullPrototype: true,
    requiredKeys: [
      'channelId',
      'counterpartyNodeId',
      'parameters',
      'secrets',
      'destinationScript',
      'initialHolderCommitment',
      'initialCounterpartyCommitment',
    ],
  },
);

/** A preimage map as the monitor keeps it: keyed by the lowercase hex of each preimage's hash. */
const preimages = fc
  .array(hash, { maxLength: 4 })
  .map((list) => new Map(list.map((p) => [toHex(sha256(p)), p] as const)));

/** A monitor; `stores` are the shachain stores to pick from (a valid one must come from inserts). */
export function monitor(stores: readonly ShachainStore[]): fc.Arbitrary<ChannelMonitor> {
  return record({
    channelId: hash,
    counterpartyNodeId: pubkey,
    channelType: fc.constant('static_remotekey' as const),
    parameters,
    secrets,
    destinationScript: script,
    shutdownScript: fc.option(script, { nil: undefined }),
    currentHolderCommitment: holderCommitment,
    previousHolderCommitment: fc.option(holderCommitment, { nil: undefined }),
    unrevokedCounterpartyCommitments: fc.array(counterpartyCommitment, { minLength: 1, maxLength: 2 }),
    counterpartySecrets: fc.constantFrom(ShachainStore.EMPTY, ...stores),
    paymentPreimages: preimages,
    latestUpdateId: safeUint,
    forceClosed: fc.boolean(),
    holderCommitmentSigned: fc.boolean(),
    fundingSpendSeen: fc.boolean(),
  });
}
