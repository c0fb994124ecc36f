/**
 * The monitor model's proto codec: every value round-trips to bytes and back unchanged, equal
 * values give equal bytes, accepted bytes re-encode to themselves, and malformed input of every
 * kind is refused with a DecodeError or ValidationError naming the field, never another exception.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import * as pb from '@vigil/proto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError, type VigilError } from '../../src/errors.js';
import { sha256 } from '../../src/bitcoin/hash.js';
import { applyUpdate } from '../../src/monitor-model/apply-update.js';
import type {
  ChannelMonitor,
  HolderCommitment,
  MonitorHtlc,
} from '../../src/monitor-model/channel-monitor.js';
import { createChannelMonitor } from '../../src/monitor-model/create-monitor.js';
import type { MonitorEvent } from '../../src/monitor-model/monitor-event.js';
import type {
  ChannelMonitorUpdate,
  ChannelMonitorUpdateStep,
} from '../../src/monitor-model/monitor-update.js';
import {
  decodeChannelMonitor,
  decodeChannelMonitorInit,
  decodeChannelMonitorUpdate,
  decodeCounterpartyCommitment,
  decodeMonitorEvent,
  encodeChannelMonitor,
  encodeChannelMonitorInit,
  encodeChannelMonitorUpdate,
  encodeCounterpartyCommitment,
  encodeMonitorEvent,
  fromProtoChannelMonitorUpdate,
  fromProtoMonitorEvent,
  toProtoChannelMonitor,
  toProtoChannelMonitorInit,
  toProtoChannelMonitorUpdate,
  toProtoMonitorEvent,
} from '../../src/monitor-model/proto-codec.js';
import { expectVigilError } from '../helpers.js';
import { ChannelFixture, payment } from '@vigil/test/fixtures/channel-fixture';
import * as gen from './model-generators.js';

const fx = new ChannelFixture();

/** Encodes, decodes, checks the bytes are canonical, and returns the decoded value. */
function roundTrip<T>(encode: (value: T) => Uint8Array, decode: (bytes: Uint8Array) => T, value: T): T {
  const bytes = encode(value);
  const back = decode(bytes);
  expect(encode(back)).toEqual(bytes);
  return back;
}

/** The shachain is a class with private state, which deep equality cannot see: compare its bytes. */
function expectSameMonitor(actual: ChannelMonitor, expected: ChannelMonitor): void {
  expect(actual.counterpartySecrets.toBytes()).toEqual(expected.counterpartySecrets.toBytes());
  expect({ ...actual, counterpartySecrets: null }).toStrictEqual({ ...expected, counterpartySecrets: null });
}

// --- A channel driven through the real flow ----------------------------------------------------

function nextUpdate(monitor: ChannelMonitor, ...steps: ChannelMonitorUpdateStep[]): ChannelMonitorUpdate {
  return { channelId: fx.channelId, updateId: monitor.latestUpdateId + 1, steps };
}

function apply(monitor: ChannelMonitor, ...steps: ChannelMonitorUpdateStep[]): ChannelMonitor {
  return applyUpdate(monitor, nextUpdate(monitor, ...steps)).monitor;
}

const payA = payment(1);
const payB = payment(2);
/** A: 50,000 sat offered by the holder; B: 20,000 sat offered by the counterparty. */
function twoHtlcs(holderView: boolean): MonitorHtlc[] {
  return [
    {
      htlcId: 0n,
      offered: holderView,
      amountMsat: 50_000_000n,
      paymentHash: payA.paymentHash,
      cltvExpiry: 800_000,
    },
    {
      htlcId: 1n,
      offered: !holderView,
      amountMsat: 20_000_000n,
      paymentHash: payB.paymentHash,
      cltvExpiry: 800_010,
    },
  ];
}
const withHtlcs = { toHolderMsat: 650_000_000n, toCounterpartyMsat: 280_000_000n };
const holderWithHtlcs = fx.holderCommitment(1, { ...withHtlcs, htlcs: twoHtlcs(true) });
const counterpartyWithHtlcs = fx.counterpartyCommitment(1, { ...withHtlcs, htlcs: twoHtlcs(false) });
const shutdownScript = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(9));

/**
 * Every part of the snapshot populated: a previous holder commitment, two unrevoked counterparty
 * commitments (a revocation pending), a revealed secret, two preimages, a shutdown script.
 */
function populatedMonitor(): ChannelMonitor {
  let m = createChannelMonitor(fx.init()).monitor;
  m = apply(m, { kind: 'latestCounterpartyCommitment', commitment: counterpartyWithHtlcs });
  m = apply(m, { kind: 'commitmentSecret', ...fx.counterpartySecret(0) });
  m = apply(m, { kind: 'latestHolderCommitment', commitment: holderWithHtlcs });
  m = apply(
    m,
    { kind: 'paymentPreimage', preimage: payB.preimage },
    { kind: 'paymentPreimage', preimage: payA.preimage },
  );
  m = apply(m, {
    kind: 'latestCounterpartyCommitment',
    commitment: fx.counterpartyCommitment(2, { ...withHtlcs, feeratePerKw: 1500, htlcs: twoHtlcs(false) }),
  });
  return apply(m, { kind: 'shutdownScript', script: shutdownScript });
}
const populated = populatedMonitor();

const everyStep: ChannelMonitorUpdateStep[] = [
  { kind: 'latestHolderCommitment', commitment: holderWithHtlcs },
  { kind: 'latestCounterpartyCommitment', commitment: counterpartyWithHtlcs },
  { kind: 'paymentPreimage', preimage: payA.preimage },
  { kind: 'commitmentSecret', ...fx.counterpartySecret(0) },
  { kind: 'channelForceClosed', shouldBroadcast: true },
  { kind: 'channelForceClosed', shouldBroadcast: false },
  { kind: 'shutdownScript', script: shutdownScript },
];

const outpoint = fx.parameters.fundingOutpoint;
const everyEvent: MonitorEvent[] = [
  {
    kind: 'htlcResolved',
    channelId: fx.channelId,
    htlcId: 7n,
    paymentHash: payA.paymentHash,
    preimage: payA.preimage,
    valueSat: 50_000n,
  },
  {
    kind: 'htlcResolved',
    channelId: fx.channelId,
    htlcId: 2n ** 64n - 1n,
    paymentHash: payB.paymentHash,
    preimage: undefined,
    valueSat: 0n,
  },
  {
    kind: 'holderForceClosedWithInfo',
    channelId: fx.channelId,
    fundingOutpoint: outpoint,
    reason: 'HTLC 0 expires at height 800000',
  },
  { kind: 'commitmentTxConfirmed', channelId: fx.channelId, txid: counterpartyWithHtlcs.txid },
  {
    kind: 'spendableOutputs',
    channelId: fx.channelId,
    outputs: [
      { outpoint, valueSat: 649_000n, scriptPubKey: fx.init().destinationScript },
      { outpoint: { txid: counterpartyWithHtlcs.txid, vout: 3 }, valueSat: 1n, scriptPubKey: shutdownScript },
    ],
  },
  { kind: 'spendableOutputs', channelId: fx.channelId, outputs: [] },
  { kind: 'claimConfirmed', channelId: fx.channelId, txid: counterpartyWithHtlcs.txid },
];

/** A valid update with a holder commitment at steps[1], for the malformed-input tests. */
const sampleUpdate: ChannelMonitorUpdate = {
  channelId: fx.channelId,
  updateId: 4,
  steps: [everyStep[2]!, everyStep[0]!, everyStep[3]!],
};

// --- Round trips -------------------------------------------------------------------------------

describe('round trips', () => {
  it.each(everyStep.map((s) => [s.kind, s] as const))('an update with a %s step', (_kind, step) => {
    const u: ChannelMonitorUpdate = { channelId: fx.channelId, updateId: 9, steps: [step] };
    expect(roundTrip(encodeChannelMonitorUpdate, decodeChannelMonitorUpdate, u)).toStrictEqual(u);
  });

  it('an update with every step kind at once', () => {
    const u: ChannelMonitorUpdate = { channelId: fx.channelId, updateId: 2 ** 53 - 1, steps: everyStep };
    expect(roundTrip(encodeChannelMonitorUpdate, decodeChannelMonitorUpdate, u)).toStrictEqual(u);
  });

  it.each(everyEvent.map((e, i) => [`${e.kind} #${i}`, e] as const))('the event %s', (_name, event) => {
    expect(roundTrip(encodeMonitorEvent, decodeMonitorEvent, event)).toStrictEqual(event);
  });

  it('a counterparty commitment record', () => {
    const back = roundTrip(encodeCounterpartyCommitment, decodeCounterpartyCommitment, counterpartyWithHtlcs);
    expect(back).toStrictEqual(counterpartyWithHtlcs);
  });

  it('a ChannelMonitorInit with and without a shutdown script, which createChannelMonitor accepts', () => {
    for (const init of [fx.init(), { ...fx.init(), shutdownScript }]) {
      const back = roundTrip(encodeChannelMonitorInit, decodeChannelMonitorInit, init);
      expect(back).toStrictEqual(init);
      expect(createChannelMonitor(back).monitor.latestUpdateId).toBe(0);
    }
  });

  it('a new monitor', () => {
    const fresh = createChannelMonitor(fx.init()).monitor;
    expectSameMonitor(roundTrip(encodeChannelMonitor, decodeChannelMonitor, fresh), fresh);
  });

  it('a monitor built through createChannelMonitor and applyUpdate, with every part populated', () => {
    expect(populated.previousHolderCommitment).toBeDefined();
    expect(populated.unrevokedCounterpartyCommitments).toHaveLength(2);
    expect(populated.counterpartySecrets.count).toBe(1);
    expect(populated.paymentPreimages.size).toBe(2);
    expectSameMonitor(roundTrip(encodeChannelMonitor, decodeChannelMonitor, populated), populated);
  });

  it('a monitor with its flags set', () => {
    const flagged = { ...populated, forceClosed: true, holderCommitmentSigned: true, fundingSpendSeen: true };
    expectSameMonitor(roundTrip(encodeChannelMonitor, decodeChannelMonitor, flagged), flagged);
  });

  it('a decoded monitor carries on exactly like the original', () => {
    const decoded = decodeChannelMonitor(encodeChannelMonitor(populated));
    const next = nextUpdate(populated, { kind: 'commitmentSecret', ...fx.counterpartySecret(1) });
    const fromOriginal = applyUpdate(populated, next).monitor;
    const fromDecoded = applyUpdate(decoded, next).monitor;
    expect(encodeChannelMonitor(fromDecoded)).toEqual(encodeChannelMonitor(fromOriginal));
    expect(fromDecoded.counterpartySecrets.getSecret(fx.counterpartySecret(1).index)).toEqual(
      fx.counterpartySecret(1).secret,
    );
  });

  it('decoded values do not share memory with the input bytes', () => {
    const bytes = encodeChannelMonitorUpdate(sampleUpdate);
    const decoded = decodeChannelMonitorUpdate(bytes);
    bytes.fill(0);
    expect(decoded).toStrictEqual(sampleUpdate);
  });
});

describe('determinism', () => {
  it('equal monitors encode to equal bytes, whatever order their preimages were learned in', () => {
    const reordered: ChannelMonitor = {
      ...populated,
      paymentPreimages: new Map([...populated.paymentPreimages].reverse()),
    };
    expect([...reordered.paymentPreimages.keys()]).not.toEqual([...populated.paymentPreimages.keys()]);
    expect(encodeChannelMonitor(reordered)).toEqual(encodeChannelMonitor(populated));
  });

  it('preimages are written in increasing payment hash order', () => {
    const hashes = toProtoChannelMonitor(populated).paymentPreimages.map((p) => toHex(sha256(p)));
    expect(hashes).toHaveLength(2);
    expect(hashes).toEqual([...hashes].sort());
  });

  it('an update built twice from the same state encodes to the same bytes', () => {
    const again: ChannelMonitorUpdate = {
      channelId: Uint8Array.from(fx.channelId),
      updateId: 4,
      steps: [
        { kind: 'paymentPreimage', preimage: Uint8Array.from(payA.preimage) },
        {
          kind: 'latestHolderCommitment',
          commitment: fx.holderCommitment(1, { ...withHtlcs, htlcs: twoHtlcs(true) }),
        },
        { kind: 'commitmentSecret', ...fx.counterpartySecret(0) },
      ],
    };
    expect(encodeChannelMonitorUpdate(again)).toEqual(encodeChannelMonitorUpdate(sampleUpdate));
  });
});

describe('property: generated values', () => {
  const stores = [
    populated.counterpartySecrets,
    apply(populated, { kind: 'commitmentSecret', ...fx.counterpartySecret(1) }).counterpartySecrets,
  ];

  it('updates round-trip and re-encode to the same bytes', () => {
    fc.assert(
      fc.property(gen.update, (u) => {
        expect(roundTrip(encodeChannelMonitorUpdate, decodeChannelMonitorUpdate, u)).toStrictEqual(u);
      }),
    );
  });

  it('events round-trip', () => {
    fc.assert(
      fc.property(gen.event, (e) => {
        expect(roundTrip(encodeMonitorEvent, decodeMonitorEvent, e)).toStrictEqual(e);
      }),
    );
  });

  it('counterparty commitments round-trip', () => {
    fc.assert(
      fc.property(gen.counterpartyCommitment, (c) => {
        expect(roundTrip(encodeCounterpartyCommitment, decodeCounterpartyCommitment, c)).toStrictEqual(c);
      }),
    );
  });

  it('inits round-trip', () => {
    fc.assert(
      fc.property(gen.init, (init) => {
        expect(roundTrip(encodeChannelMonitorInit, decodeChannelMonitorInit, init)).toStrictEqual(init);
      }),
    );
  });

  it('monitors round-trip', () => {
    fc.assert(
      fc.property(gen.monitor(stores), (m) => {
        expectSameMonitor(roundTrip(encodeChannelMonitor, decodeChannelMonitor, m), m);
      }),
      { numRuns: 50 },
    );
  });
});

// --- Malformed input ---------------------------------------------------------------------------

/** The sample update's message, changed by `mutate`, as bytes. */
function updateBytesWith(mutate: (message: pb.ChannelMonitorUpdate) => void): Uint8Array {
  const message = toProtoChannelMonitorUpdate(sampleUpdate);
  mutate(message);
  return toBinary(pb.ChannelMonitorUpdateSchema, message);
}

function holderCommitmentOf(message: pb.ChannelMonitorUpdate, step: number): pb.HolderCommitment {
  const { step: s } = message.steps[step]!;
  if (s.case !== 'latestHolderCommitment') throw new Error(`steps[${step}] is ${s.case}`);
  return s.value;
}

function monitorBytesWith(mutate: (message: pb.ChannelMonitor) => void): Uint8Array {
  const message = toProtoChannelMonitor(populated);
  mutate(message);
  return toBinary(pb.ChannelMonitorSchema, message);
}

function initBytesWith(mutate: (message: pb.ChannelMonitorInit) => void): Uint8Array {
  const message = toProtoChannelMonitorInit(fx.init());
  mutate(message);
  return toBinary(pb.ChannelMonitorInitSchema, message);
}

/** Raw protobuf fields, for encodings the generated code would never write. */
function rawFields(write: (w: BinaryWriter) => void): Uint8Array {
  const writer = new BinaryWriter();
  write(writer);
  return writer.finish();
}

describe('decoding refuses wrong lengths', () => {
  it('a 63-byte counterparty signature, naming the step', () => {
    const bytes = updateBytesWith((m) => {
      holderCommitmentOf(m, 1).counterpartySignature = new Uint8Array(63);
    });
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      ValidationError,
      'update.steps[1].latestHolderCommitment.counterpartySignature',
      'expected 64 bytes, got 63',
    );
  });

  const wrongLengths: [string, (m: pb.ChannelMonitorUpdate) => void, string, string][] = [
    [
      'an HTLC signature',
      (m) => (holderCommitmentOf(m, 1).counterpartyHtlcSignatures[1] = new Uint8Array(65)),
      'update.steps[1].latestHolderCommitment.counterpartyHtlcSignatures[1]',
      'expected 64 bytes, got 65',
    ],
    [
      'a payment hash',
      (m) => (holderCommitmentOf(m, 1).htlcs[0]!.paymentHash = new Uint8Array(31)),
      'update.steps[1].latestHolderCommitment.htlcs[0].paymentHash',
      'expected 32 bytes, got 31',
    ],
    [
      'a channel id',
      (m) => (m.channelId = new Uint8Array(0)),
      'update.channelId',
      'expected 32 bytes, got 0',
    ],
    [
      'a preimage',
      (m) => (m.steps[0]!.step = { case: 'paymentPreimage', value: new Uint8Array(33) }),
      'update.steps[0].paymentPreimage',
      'expected 32 bytes, got 33',
    ],
    [
      'a revocation secret',
      (m) =>
        (m.steps[2]!.step = {
          case: 'commitmentSecret',
          value: create(pb.CommitmentSecretSchema, { index: 1n, secret: new Uint8Array(31) }),
        }),
      'update.steps[2].commitmentSecret.secret',
      'expected 32 bytes, got 31',
    ],
  ];

  it.each(wrongLengths)('%s', (_name, mutate, field, problem) => {
    expectVigilError(
      () => decodeChannelMonitorUpdate(updateBytesWith(mutate)),
      ValidationError,
      field,
      problem,
    );
  });

  it('a 32-byte public key and a 31-byte txid', () => {
    expectVigilError(
      () =>
        decodeChannelMonitorInit(
          initBytesWith((m) => (m.parameters!.counterpartyPubkeys!.htlcBasepoint = new Uint8Array(32))),
        ),
      ValidationError,
      'init.parameters.counterpartyPubkeys.htlcBasepoint',
      'expected 33 bytes, got 32',
    );
    expectVigilError(
      () =>
        decodeChannelMonitorInit(
          initBytesWith((m) => (m.initialCounterpartyCommitment!.txid = new Uint8Array(31))),
        ),
      ValidationError,
      'init.initialCounterpartyCommitment.txid',
      'expected 32 bytes, got 31',
    );
  });

  it('an empty or oversized script', () => {
    expectVigilError(
      () =>
        decodeChannelMonitorUpdate(
          updateBytesWith((m) => (m.steps[0]!.step = { case: 'shutdownScript', value: new Uint8Array(0) })),
        ),
      ValidationError,
      'update.steps[0].shutdownScript',
    );
    expectVigilError(
      () => decodeChannelMonitorInit(initBytesWith((m) => (m.destinationScript = new Uint8Array(10_001)))),
      ValidationError,
      'init.destinationScript',
    );
  });

  it('a secret of the wrong length, without printing it', () => {
    const secret = Uint8Array.from({ length: 31 }, (_, i) => 0xc0 + i);
    let caught: unknown;
    try {
      decodeChannelMonitorInit(initBytesWith((m) => (m.secrets!.commitmentSeed = secret)));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe('init.secrets.commitmentSeed');
    expect((caught as ValidationError).message).not.toContain(toHex(secret).slice(0, 8));
  });

  it('the same lengths when encoding, so a malformed value never leaves the sender', () => {
    const bad = { ...holderWithHtlcs, counterpartySignature: new Uint8Array(63) };
    expectVigilError(
      () =>
        encodeChannelMonitorUpdate({
          ...sampleUpdate,
          steps: [everyStep[2]!, { kind: 'latestHolderCommitment', commitment: bad }],
        }),
      ValidationError,
      'update.steps[1].latestHolderCommitment.counterpartySignature',
      'expected 64 bytes, got 63',
    );
  });
});

describe('decoding refuses missing parts', () => {
  it('a step or event kind the model does not have, when encoding', () => {
    const bogusStep = { kind: 'bogus' } as unknown as ChannelMonitorUpdateStep;
    expectVigilError(
      () => encodeChannelMonitorUpdate({ ...sampleUpdate, steps: [bogusStep] }),
      ValidationError,
      'update.steps[0].kind',
      'unknown step kind "bogus"',
    );
    const bogusEvent = { kind: 'bogus', channelId: fx.channelId } as unknown as MonitorEvent;
    expectVigilError(
      () => encodeMonitorEvent(bogusEvent),
      ValidationError,
      'event.kind',
      'unknown event kind "bogus"',
    );
  });

  it('a step with no oneof case', () => {
    const bytes = updateBytesWith((m) => (m.steps[1]!.step = { case: undefined }));
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      ValidationError,
      'update.steps[1]',
      /expected one of latestHolderCommitment, .*got none/,
    );
  });

  it('an event with no oneof case', () => {
    const message = toProtoMonitorEvent(everyEvent[0]!);
    message.event = { case: undefined };
    expectVigilError(
      () => fromProtoMonitorEvent(message),
      ValidationError,
      'event',
      /expected one of htlcResolved/,
    );
  });

  const missing: [string, () => Uint8Array, (bytes: Uint8Array) => unknown][] = [
    ['monitor.parameters', () => monitorBytesWith((m) => (m.parameters = undefined)), decodeChannelMonitor],
    [
      'monitor.parameters.fundingOutpoint',
      () => monitorBytesWith((m) => (m.parameters!.fundingOutpoint = undefined)),
      decodeChannelMonitor,
    ],
    ['monitor.secrets', () => monitorBytesWith((m) => (m.secrets = undefined)), decodeChannelMonitor],
    [
      'monitor.currentHolderCommitment',
      () => monitorBytesWith((m) => (m.currentHolderCommitment = undefined)),
      decodeChannelMonitor,
    ],
    [
      'init.initialCounterpartyCommitment',
      () => initBytesWith((m) => (m.initialCounterpartyCommitment = undefined)),
      decodeChannelMonitorInit,
    ],
    [
      'init.parameters.holderPubkeys',
      () => initBytesWith((m) => (m.parameters!.holderPubkeys = undefined)),
      decodeChannelMonitorInit,
    ],
  ];

  it.each(missing)('the required sub-message %s', (field, bytes, decode) => {
    expectVigilError(() => decode(bytes()), ValidationError, field, 'is required but missing');
  });

  it('a spendable output without its TxOut', () => {
    const message = toProtoMonitorEvent(everyEvent[4]!);
    if (message.event.case !== 'spendableOutputs') throw new Error('not spendableOutputs');
    message.event.value.outputs[1]!.output = undefined;
    expectVigilError(
      () => decodeMonitorEvent(toBinary(pb.MonitorEventSchema, message)),
      ValidationError,
      'event.spendableOutputs.outputs[1].output',
      /required/,
    );
  });

  it('a monitor without an unrevoked counterparty commitment, or with three', () => {
    expectVigilError(
      () => decodeChannelMonitor(monitorBytesWith((m) => (m.unrevokedCounterpartyCommitments = []))),
      ValidationError,
      'monitor.unrevokedCounterpartyCommitments',
      'expected 1 or 2 commitments, got 0',
    );
    expectVigilError(
      () =>
        decodeChannelMonitor(
          monitorBytesWith((m) =>
            m.unrevokedCounterpartyCommitments.push(m.unrevokedCounterpartyCommitments[0]!),
          ),
        ),
      ValidationError,
      'monitor.unrevokedCounterpartyCommitments',
      'expected at most 2 items, got 3',
    );
  });
});

describe('decoding refuses out-of-range numbers', () => {
  it('a commitment number beyond 48 bits', () => {
    const bytes = updateBytesWith((m) => (holderCommitmentOf(m, 1).commitmentNumber = 2n ** 48n));
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      ValidationError,
      'update.steps[1].latestHolderCommitment.commitmentNumber',
      `expected an integer in [0, ${2 ** 48 - 1}], got ${2n ** 48n}`,
    );
  });

  it('a shachain index beyond 48 bits', () => {
    const bytes = updateBytesWith((m) => {
      const { step } = m.steps[2]!;
      if (step.case === 'commitmentSecret') step.value.index = 2n ** 64n - 1n;
    });
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      ValidationError,
      'update.steps[2].commitmentSecret.index',
    );
  });

  it('update ids beyond 2^53-1', () => {
    expectVigilError(
      () => decodeChannelMonitorUpdate(updateBytesWith((m) => (m.updateId = 2n ** 53n))),
      ValidationError,
      'update.updateId',
    );
    expectVigilError(
      () => decodeChannelMonitor(monitorBytesWith((m) => (m.latestUpdateId = 2n ** 63n))),
      ValidationError,
      'monitor.latestUpdateId',
    );
  });

  it('a contest delay beyond 16 bits', () => {
    const bytes = initBytesWith((m) => (m.parameters!.counterpartySelectedContestDelay = 0x1_0000));
    expectVigilError(
      () => decodeChannelMonitorInit(bytes),
      ValidationError,
      'init.parameters.counterpartySelectedContestDelay',
      'expected an integer in [0, 65535], got 65536',
    );
  });

  const withHtlc = (htlc: Partial<MonitorHtlc>): HolderCommitment => ({
    ...holderWithHtlcs,
    htlcs: [{ ...holderWithHtlcs.htlcs[0]!, ...htlc }],
  });
  const outOfRange: [string, HolderCommitment][] = [
    ['feeratePerKw', { ...holderWithHtlcs, feeratePerKw: 2 ** 32 }],
    ['feeratePerKw', { ...holderWithHtlcs, feeratePerKw: 1.5 }],
    ['toHolderMsat', { ...holderWithHtlcs, toHolderMsat: -1n }],
    ['toCounterpartyMsat', { ...holderWithHtlcs, toCounterpartyMsat: 2n ** 64n }],
    ['htlcs[0].cltvExpiry', withHtlc({ cltvExpiry: -1 })],
    ['htlcs[0].htlcId', withHtlc({ htlcId: 2n ** 64n })],
    ['commitmentNumber', { ...holderWithHtlcs, commitmentNumber: 2 ** 48 }],
  ];

  it.each(outOfRange)('%s out of range, when encoding', (field, commitment) => {
    expectVigilError(
      () =>
        encodeChannelMonitorUpdate({
          ...sampleUpdate,
          steps: [{ kind: 'latestHolderCommitment', commitment }],
        }),
      ValidationError,
      `update.steps[0].latestHolderCommitment.${field}`,
      /expected an integer in \[0, \d+\], got /,
    );
  });

  it('an update id beyond 2^53-1, when encoding', () => {
    expectVigilError(
      () => encodeChannelMonitorUpdate({ ...sampleUpdate, updateId: 2 ** 53 }),
      ValidationError,
      'update.updateId',
    );
  });

  it('an unspecified or unknown channel type', () => {
    for (const channelType of [pb.ChannelType.UNSPECIFIED, 7]) {
      const bytes = monitorBytesWith((m) => (m.channelType = channelType));
      expectVigilError(
        () => decodeChannelMonitor(bytes),
        ValidationError,
        'monitor.channelType',
        `unsupported channel type ${channelType}`,
      );
    }
  });
});

describe('decoding refuses what this schema does not define', () => {
  it('an unknown top-level field', () => {
    const bytes = concatBytes(
      encodeChannelMonitorUpdate(sampleUpdate),
      rawFields((w) => w.tag(99, WireType.Varint).uint32(1)),
    );
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      DecodeError,
      'update',
      /unknown field number 99/,
    );
  });

  it('an unknown field deep inside, naming where', () => {
    const bytes = updateBytesWith((m) => {
      holderCommitmentOf(m, 1).htlcs[1]!.$unknown = [
        { no: 6, wireType: WireType.Varint, data: Uint8Array.of(1) },
      ];
    });
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      DecodeError,
      'update.steps[1].latestHolderCommitment.htlcs[1]',
      /unknown field number 6/,
    );
  });

  it('an unknown oneof case (a step kind from a newer sender)', () => {
    const step = rawFields((w) => w.tag(7, WireType.LengthDelimited).bytes(Uint8Array.of(1, 2)));
    const bytes = rawFields((w) => {
      w.tag(1, WireType.LengthDelimited).bytes(fx.channelId);
      w.tag(2, WireType.Varint).uint64(1n);
      w.tag(3, WireType.LengthDelimited).bytes(step);
    });
    expectVigilError(
      () => decodeChannelMonitorUpdate(bytes),
      DecodeError,
      'update.steps[0]',
      /unknown field number 7/,
    );
  });

  it('unknown fields in a message that arrived inside a frame', () => {
    const message = toProtoChannelMonitorUpdate(sampleUpdate);
    message.$unknown = [{ no: 50, wireType: WireType.Varint, data: Uint8Array.of(0) }];
    expectVigilError(
      () => fromProtoChannelMonitorUpdate(message),
      DecodeError,
      'update',
      /unknown field number 50/,
    );
  });
});

describe('decoding refuses a malformed snapshot', () => {
  it('a truncated shachain', () => {
    const bytes = monitorBytesWith((m) => (m.counterpartySecrets = m.counterpartySecrets.subarray(0, 20)));
    let caught: unknown;
    try {
      decodeChannelMonitor(bytes);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).field).toMatch(/^monitor\.counterpartySecrets\.slots\[0\]/);
  });

  it('a missing shachain', () => {
    const bytes = monitorBytesWith((m) => (m.counterpartySecrets = new Uint8Array(0)));
    expectVigilError(
      () => decodeChannelMonitor(bytes),
      DecodeError,
      'monitor.counterpartySecrets.slot_count',
    );
  });

  it('a shachain secret that does not derive the one below it', () => {
    const store = apply(populated, {
      kind: 'commitmentSecret',
      ...fx.counterpartySecret(1),
    }).counterpartySecrets;
    const raw = store.toBytes();
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1; // the secret in slot 1
    const bytes = monitorBytesWith((m) => (m.counterpartySecrets = raw));
    expectVigilError(
      () => decodeChannelMonitor(bytes),
      DecodeError,
      'monitor.counterpartySecrets.slots[1].secret',
      /does not derive/,
    );
  });

  it('preimages out of order or repeated', () => {
    expectVigilError(
      () => decodeChannelMonitor(monitorBytesWith((m) => m.paymentPreimages.reverse())),
      ValidationError,
      'monitor.paymentPreimages[1]',
      /increasing payment hash order/,
    );
    expectVigilError(
      () => decodeChannelMonitor(monitorBytesWith((m) => m.paymentPreimages.push(m.paymentPreimages[1]!))),
      ValidationError,
      'monitor.paymentPreimages[2]',
    );
  });

  it('a preimage map whose key is not the preimage’s hash, when encoding', () => {
    const [hash, preimage] = [...populated.paymentPreimages][0]!;
    const wrong: ChannelMonitor = {
      ...populated,
      paymentPreimages: new Map([
        [hash, payment(9).preimage],
        [toHex(payment(8).paymentHash), preimage],
      ]),
    };
    expectVigilError(
      () => encodeChannelMonitor(wrong),
      ValidationError,
      'monitor.paymentPreimages[0]',
      'is not keyed by its payment hash',
    );
  });
});

describe('decoding refuses bytes that do not parse or are not canonical', () => {
  const good = encodeChannelMonitorUpdate(sampleUpdate);

  it('truncated bytes', () => {
    expectVigilError(
      () => decodeChannelMonitorUpdate(good.subarray(0, good.length - 1)),
      DecodeError,
      'update',
      /is not a vigil\.monitor\.v1\.ChannelMonitorUpdate: premature EOF/,
    );
  });

  it('a field repeated', () => {
    const bytes = concatBytes(
      good,
      rawFields((w) => w.tag(1, WireType.LengthDelimited).bytes(fx.channelId)),
    );
    expectVigilError(() => decodeChannelMonitorUpdate(bytes), DecodeError, 'update', /canonical/);
  });

  it('fields out of order', () => {
    const bytes = rawFields((w) => {
      w.tag(2, WireType.Varint).uint64(1n);
      w.tag(1, WireType.LengthDelimited).bytes(fx.channelId);
    });
    expect(() =>
      decodeChannelMonitorUpdate(
        rawFields((w) =>
          w.tag(1, WireType.LengthDelimited).bytes(fx.channelId).tag(2, WireType.Varint).uint64(1n),
        ),
      ),
    ).not.toThrow();
    expectVigilError(() => decodeChannelMonitorUpdate(bytes), DecodeError, 'update', /canonical/);
  });

  it('a default value written out', () => {
    const bytes = rawFields((w) =>
      w.tag(1, WireType.LengthDelimited).bytes(fx.channelId).tag(2, WireType.Varint).uint64(0n),
    );
    expectVigilError(() => decodeChannelMonitorUpdate(bytes), DecodeError, 'update', /canonical/);
  });

  it('an overlong varint', () => {
    const channelIdField = rawFields((w) => w.tag(1, WireType.LengthDelimited).bytes(fx.channelId));
    const bytes = concatBytes(channelIdField, Uint8Array.of(0x10, 0x81, 0x00)); // update_id 1 in two bytes
    expectVigilError(() => decodeChannelMonitorUpdate(bytes), DecodeError, 'update', /canonical/);
  });

  it('something that is not bytes', () => {
    expectVigilError(
      () => decodeChannelMonitorUpdate('0a20' as unknown as Uint8Array),
      ValidationError,
      'update',
      'expected bytes, got string',
    );
  });
});

describe('property: hostile bytes', () => {
  const decoders: [string, (bytes: Uint8Array) => unknown][] = [
    ['update', decodeChannelMonitorUpdate],
    ['monitor', decodeChannelMonitor],
    ['init', decodeChannelMonitorInit],
    ['event', decodeMonitorEvent],
    ['counterpartyCommitment', decodeCounterpartyCommitment],
  ];

  /** Decodes; an error must be ours and name a path under `root`. */
  function decodeOrRefuse(root: string, decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
    try {
      decode(bytes);
    } catch (e) {
      expect(e instanceof DecodeError || e instanceof ValidationError, String(e)).toBe(true);
      expect((e as VigilError).field.startsWith(root)).toBe(true);
    }
  }

  it.each(decoders)('garbage never escapes as another exception (%s)', (root, decode) => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => decodeOrRefuse(root, decode, bytes)));
  });

  /** A valid encoding with one byte changed, inserted or removed, or cut short. */
  const mutation = fc.tuple(
    fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
  );
  function mutate(bytes: Uint8Array, [how, at, value]: [string, number, number]): Uint8Array {
    const i = at % Math.max(bytes.length, 1);
    switch (how) {
      case 'insert':
        return concatBytes(bytes.subarray(0, i), Uint8Array.of(value), bytes.subarray(i));
      case 'delete':
        return concatBytes(bytes.subarray(0, i), bytes.subarray(i + 1));
      case 'truncate':
        return bytes.subarray(0, i);
      default: {
        const flipped = Uint8Array.from(bytes);
        flipped[i] = flipped[i]! ^ (value | 1);
        return flipped;
      }
    }
  }

  it('mutated updates decode to a value that re-encodes exactly, or are refused', () => {
    fc.assert(
      fc.property(gen.update, mutation, (u, m) => {
        const bytes = mutate(encodeChannelMonitorUpdate(u), m);
        let decoded: ChannelMonitorUpdate;
        try {
          decoded = decodeChannelMonitorUpdate(bytes);
        } catch (e) {
          expect(e instanceof DecodeError || e instanceof ValidationError, String(e)).toBe(true);
          return;
        }
        expect(encodeChannelMonitorUpdate(decoded)).toEqual(bytes);
      }),
    );
  });

  it('mutated events are decoded exactly or refused', () => {
    fc.assert(
      fc.property(gen.event, mutation, (e, m) =>
        decodeOrRefuse('event', decodeMonitorEvent, mutate(encodeMonitorEvent(e), m)),
      ),
    );
  });

  it('mutated snapshots are refused without a secret in the message', () => {
    const secrets = [
      ...Object.values(populated.secrets),
      ...populated.paymentPreimages.values(),
      fx.counterpartySecret(0).secret,
    ].map((s) => toHex(s).slice(0, 16));
    const snapshot = encodeChannelMonitor(populated);
    fc.assert(
      fc.property(mutation, (m) => {
        try {
          decodeChannelMonitor(mutate(snapshot, m));
        } catch (e) {
          expect(e instanceof DecodeError || e instanceof ValidationError, String(e)).toBe(true);
          for (const s of secrets) expect((e as Error).message).not.toContain(s);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decoding checks shapes only', () => {
  it('accepts a well-formed update whose signature does not verify: applyUpdate refuses it', () => {
    const forged = { ...holderWithHtlcs, counterpartySignature: new Uint8Array(64).fill(1) };
    const u: ChannelMonitorUpdate = {
      channelId: fx.channelId,
      updateId: 1,
      steps: [{ kind: 'latestHolderCommitment', commitment: forged }],
    };
    const decoded = decodeChannelMonitorUpdate(encodeChannelMonitorUpdate(u));
    expect(decoded).toStrictEqual(u);
    expect(() => applyUpdate(createChannelMonitor(fx.init()).monitor, decoded)).toThrow(
      /counterpartySignature: does not sign/,
    );
  });
});
