import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { ValidationError } from '../../src/errors.js';
import { applyUpdate, InvalidUpdateError } from '../../src/monitor-model/apply-update.js';
import type { ChannelMonitor, MonitorHtlc } from '../../src/monitor-model/channel-monitor.js';
import { createChannelMonitor } from '../../src/monitor-model/create-monitor.js';
import type {
  ChannelMonitorUpdate,
  ChannelMonitorUpdateStep,
} from '../../src/monitor-model/monitor-update.js';
import { ChannelFixture, payment } from '@vigil/test/fixtures/channel-fixture';

const fx = new ChannelFixture();
const created = createChannelMonitor(fx.init());
const base = created.monitor;

function update(monitor: ChannelMonitor, ...steps: ChannelMonitorUpdateStep[]): ChannelMonitorUpdate {
  return { channelId: fx.channelId, updateId: monitor.latestUpdateId + 1, steps };
}

/** A 50,000 sat HTLC the holder offered, seen from either side's commitment. */
const pay = payment(1);
const offeredByHolder = (offered: boolean): MonitorHtlc => ({
  htlcId: 0n,
  offered,
  amountMsat: 50_000_000n,
  paymentHash: pay.paymentHash,
  cltvExpiry: 800_000,
});
const withHtlc = { toHolderMsat: 650_000_000n, toCounterpartyMsat: 300_000_000n };

/** The holder adds an HTLC: sign the counterparty's commitment 1, get it revoked, receive our commitment 1. */
function addHtlc(monitor: ChannelMonitor): ChannelMonitor {
  let m = applyUpdate(
    monitor,
    update(monitor, {
      kind: 'latestCounterpartyCommitment',
      commitment: fx.counterpartyCommitment(1, { ...withHtlc, htlcs: [offeredByHolder(false)] }),
    }),
  ).monitor;
  m = applyUpdate(m, update(m, { kind: 'commitmentSecret', ...fx.counterpartySecret(0) })).monitor;
  return applyUpdate(
    m,
    update(m, {
      kind: 'latestHolderCommitment',
      commitment: fx.holderCommitment(1, { ...withHtlc, htlcs: [offeredByHolder(true)] }),
    }),
  ).monitor;
}

function expectInvalid(fn: () => unknown, reason: string, field: string, problem?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InvalidUpdateError);
  const err = caught as InvalidUpdateError;
  expect(err.reason).toBe(reason);
  expect(err.field).toBe(field);
  if (problem) expect(err.problem).toMatch(problem);
}

describe('createChannelMonitor', () => {
  it('creates a monitor at update 0 with the initial counterparty commitment as its first record', () => {
    expect(base.latestUpdateId).toBe(0);
    expect(base.unrevokedCounterpartyCommitments).toHaveLength(1);
    expect(created.counterpartyCommitments.map((c) => c.commitmentNumber)).toEqual([0]);
  });

  it('refuses secrets that are not the holder basepoints’ keys', () => {
    const init = fx.init();
    const bad = {
      ...init,
      secrets: { ...init.secrets, htlcBasepointSecret: init.secrets.paymentBasepointSecret },
    };
    expect(() => createChannelMonitor(bad)).toThrow(
      /monitor\.secrets\.htlcBasepointSecret: is not the private key of holderPubkeys\.htlcBasepoint/,
    );
  });

  it('refuses an initial holder commitment the counterparty did not sign', () => {
    const init = fx.init();
    const sig = Uint8Array.from(init.initialHolderCommitment.counterpartySignature);
    sig[40] = sig[40]! ^ 1;
    const bad = {
      ...init,
      initialHolderCommitment: { ...init.initialHolderCommitment, counterpartySignature: sig },
    };
    expect(() => createChannelMonitor(bad)).toThrow(
      /initialHolderCommitment\.counterpartySignature: does not sign/,
    );
  });

  it('refuses an initial counterparty commitment whose txid is not what it rebuilds to', () => {
    const init = fx.init();
    const bad = {
      ...init,
      initialCounterpartyCommitment: { ...init.initialCounterpartyCommitment, txid: new Uint8Array(32) },
    };
    expect(() => createChannelMonitor(bad)).toThrow(
      /initialCounterpartyCommitment\.txid: the commitment data rebuilds to txid/,
    );
  });

  it('refuses initial commitments that are not number 0', () => {
    const init = fx.init();
    const bad = {
      ...init,
      initialHolderCommitment: fx.holderCommitment(1, {
        toHolderMsat: 700_000_000n,
        toCounterpartyMsat: 300_000_000n,
      }),
    };
    expect(() => createChannelMonitor(bad)).toThrow(/initialHolderCommitment\.commitmentNumber: expected 0/);
  });

  it('refuses a channel id of the wrong length', () => {
    expect(() => createChannelMonitor({ ...fx.init(), channelId: new Uint8Array(31) })).toThrow(
      ValidationError,
    );
  });
});

describe('applyUpdate: a payment through the monitor', () => {
  const m = addHtlc(base);

  it('tracks commitments, revocations and update ids', () => {
    expect(m.latestUpdateId).toBe(3);
    expect(m.currentHolderCommitment.commitmentNumber).toBe(1);
    expect(m.previousHolderCommitment?.commitmentNumber).toBe(0);
    expect(m.unrevokedCounterpartyCommitments.map((c) => c.commitmentNumber)).toEqual([1]);
    expect(m.counterpartySecrets.count).toBe(1);
    expect(toHex(m.counterpartySecrets.getSecret(fx.counterpartySecret(0).index))).toBe(
      toHex(fx.counterpartySecret(0).secret),
    );
  });

  it('returns each counterparty commitment once, to be stored outside the snapshot', () => {
    const step = {
      kind: 'latestCounterpartyCommitment' as const,
      commitment: fx.counterpartyCommitment(2, {
        toHolderMsat: 650_000_000n,
        toCounterpartyMsat: 350_000_000n,
      }),
    };
    const applied = applyUpdate(m, update(m, step));
    expect(applied.counterpartyCommitments).toEqual([step.commitment]);
    expect(applied.afterLockdown).toBe(false);
  });

  it('keeps a preimage while a commitment references its HTLC and prunes it once none does', () => {
    const withPreimage = applyUpdate(
      m,
      update(m, { kind: 'paymentPreimage', preimage: pay.preimage }),
    ).monitor;
    expect(withPreimage.paymentPreimages.get(toHex(pay.paymentHash))).toEqual(pay.preimage);

    // The HTLC is fulfilled: commitments 2 on both sides no longer carry it.
    const settled = { toHolderMsat: 650_000_000n, toCounterpartyMsat: 350_000_000n };
    let s = applyUpdate(
      withPreimage,
      update(withPreimage, {
        kind: 'latestCounterpartyCommitment',
        commitment: fx.counterpartyCommitment(2, settled),
      }),
    ).monitor;
    s = applyUpdate(s, update(s, { kind: 'commitmentSecret', ...fx.counterpartySecret(1) })).monitor;
    s = applyUpdate(
      s,
      update(s, { kind: 'latestHolderCommitment', commitment: fx.holderCommitment(2, settled) }),
    ).monitor;
    expect(s.paymentPreimages.has(toHex(pay.paymentHash))).toBe(true); // still on the previous holder commitment
    s = applyUpdate(
      s,
      update(s, { kind: 'latestHolderCommitment', commitment: fx.holderCommitment(3, settled) }),
    ).monitor;
    expect(s.paymentPreimages.size).toBe(0);
  });

  it('never modifies the monitor it was given', () => {
    const before = JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    applyUpdate(m, update(m, { kind: 'paymentPreimage', preimage: pay.preimage }));
    expect(() =>
      applyUpdate(m, update(m, { kind: 'commitmentSecret', ...fx.counterpartySecret(1) })),
    ).toThrow();
    expect(JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
  });
});

describe('applyUpdate refuses', () => {
  const m = addHtlc(base);
  const balances = { toHolderMsat: 650_000_000n, toCounterpartyMsat: 350_000_000n };

  it('an update id gap', () => {
    expectInvalid(
      () =>
        applyUpdate(m, { ...update(m, { kind: 'paymentPreimage', preimage: pay.preimage }), updateId: 5 }),
      'update_id_gap',
      'update.updateId',
      /expected 4, got 5/,
    );
  });

  it('a repeated update id', () => {
    expectInvalid(
      () =>
        applyUpdate(m, { ...update(m, { kind: 'paymentPreimage', preimage: pay.preimage }), updateId: 3 }),
      'update_id_gap',
      'update.updateId',
      /expected 4, got 3/,
    );
  });

  it('another channel’s update', () => {
    expectInvalid(
      () =>
        applyUpdate(m, {
          ...update(m, { kind: 'paymentPreimage', preimage: pay.preimage }),
          channelId: new Uint8Array(32),
        }),
      'channel_mismatch',
      'update.channelId',
    );
  });

  it('an update without steps', () => {
    expectInvalid(() => applyUpdate(m, update(m)), 'invalid_step', 'update.steps', /at least one step/);
  });

  it('a holder commitment that skips a number', () => {
    expectInvalid(
      () =>
        applyUpdate(
          m,
          update(m, { kind: 'latestHolderCommitment', commitment: fx.holderCommitment(3, balances) }),
        ),
      'invalid_step',
      'update.steps[0].commitment.commitmentNumber',
      /expected 2, got 3/,
    );
  });

  it('a holder commitment with a bad counterparty signature', () => {
    const c = fx.holderCommitment(2, balances);
    const sig = Uint8Array.from(c.counterpartySignature);
    sig[10] = sig[10]! ^ 0x80;
    expectInvalid(
      () =>
        applyUpdate(
          m,
          update(m, { kind: 'latestHolderCommitment', commitment: { ...c, counterpartySignature: sig } }),
        ),
      'invalid_step',
      'update.steps[0].commitment.counterpartySignature',
    );
  });

  it('a holder commitment whose HTLC signature count does not match its HTLC outputs', () => {
    const c = fx.holderCommitment(2, { ...withHtlc, htlcs: [offeredByHolder(true)] });
    expectInvalid(
      () =>
        applyUpdate(
          m,
          update(m, { kind: 'latestHolderCommitment', commitment: { ...c, counterpartyHtlcSignatures: [] } }),
        ),
      'invalid_step',
      'update.steps[0].commitment.counterpartyHtlcSignatures',
      /expected 1 signatures/,
    );
  });

  it('a holder commitment with an HTLC signature over another transaction', () => {
    const c = fx.holderCommitment(2, { ...withHtlc, htlcs: [offeredByHolder(true)] });
    expectInvalid(
      () =>
        applyUpdate(
          m,
          update(m, {
            kind: 'latestHolderCommitment',
            commitment: { ...c, counterpartyHtlcSignatures: [c.counterpartySignature] },
          }),
        ),
      'invalid_step',
      'update.steps[0].commitment.counterpartyHtlcSignatures[0]',
    );
  });

  it('a counterparty commitment with the wrong txid', () => {
    const c = fx.counterpartyCommitment(2, balances);
    expectInvalid(
      () =>
        applyUpdate(
          m,
          update(m, { kind: 'latestCounterpartyCommitment', commitment: { ...c, feeratePerKw: 2000 } }),
        ),
      'invalid_step',
      'update.steps[0].commitment.txid',
    );
  });

  it('a third unrevoked counterparty commitment', () => {
    const m2 = applyUpdate(
      m,
      update(m, { kind: 'latestCounterpartyCommitment', commitment: fx.counterpartyCommitment(2, balances) }),
    ).monitor;
    expectInvalid(
      () =>
        applyUpdate(
          m2,
          update(m2, {
            kind: 'latestCounterpartyCommitment',
            commitment: fx.counterpartyCommitment(3, balances),
          }),
        ),
      'invalid_step',
      'update.steps[0]',
      /commitment 1 is not revoked yet/,
    );
  });

  it('a secret revoking the only unrevoked counterparty commitment', () => {
    expectInvalid(
      () => applyUpdate(m, update(m, { kind: 'commitmentSecret', ...fx.counterpartySecret(1) })),
      'invalid_step',
      'update.steps[0]',
      /has no successor/,
    );
  });

  it('a secret for the wrong commitment', () => {
    const m2 = applyUpdate(
      m,
      update(m, { kind: 'latestCounterpartyCommitment', commitment: fx.counterpartyCommitment(2, balances) }),
    ).monitor;
    expectInvalid(
      () => applyUpdate(m2, update(m2, { kind: 'commitmentSecret', ...fx.counterpartySecret(2) })),
      'invalid_step',
      'update.steps[0].index',
      /commitment 1/,
    );
  });

  it('a secret that does not match the commitment’s per-commitment point', () => {
    const m2 = applyUpdate(
      m,
      update(m, { kind: 'latestCounterpartyCommitment', commitment: fx.counterpartyCommitment(2, balances) }),
    ).monitor;
    const wrong = { index: fx.counterpartySecret(1).index, secret: new Uint8Array(32).fill(9) };
    expectInvalid(
      () => applyUpdate(m2, update(m2, { kind: 'commitmentSecret', ...wrong })),
      'invalid_step',
      'update.steps[0].secret',
      /per-commitment point/,
    );
  });

  it('a preimage of the wrong length', () => {
    expectInvalid(
      () => applyUpdate(m, update(m, { kind: 'paymentPreimage', preimage: new Uint8Array(31) })),
      'invalid_step',
      'update.steps[0].preimage',
      /expected 32 bytes, got 31/,
    );
  });

  it('a second, different shutdown script', () => {
    const m2 = applyUpdate(m, update(m, { kind: 'shutdownScript', script: Uint8Array.of(0x51) })).monitor;
    expectInvalid(
      () => applyUpdate(m2, update(m2, { kind: 'shutdownScript', script: Uint8Array.of(0x52) })),
      'invalid_step',
      'update.steps[0].script',
      /already set/,
    );
  });

  it('an unknown step kind', () => {
    const bogus = { kind: 'bogus' } as unknown as ChannelMonitorUpdateStep;
    expectInvalid(
      () => applyUpdate(m, update(m, bogus)),
      'invalid_step',
      'update.steps[0].kind',
      /unknown step kind "bogus"/,
    );
  });

  it('a whole update when its second step is bad, leaving nothing half-applied', () => {
    const good = { kind: 'paymentPreimage' as const, preimage: pay.preimage };
    expectInvalid(
      () => applyUpdate(m, update(m, good, { kind: 'shutdownScript', script: new Uint8Array(0) })),
      'invalid_step',
      'update.steps[1].script',
    );
    expect(m.paymentPreimages.size).toBe(0);
    expect(m.latestUpdateId).toBe(3);
  });
});

describe('applyUpdate after lockdown', () => {
  it('still applies updates after a force close that broadcast our commitment, flagged as after lockdown', () => {
    const closed = applyUpdate(base, update(base, { kind: 'channelForceClosed', shouldBroadcast: true }));
    expect(closed.afterLockdown).toBe(false);
    expect(closed.monitor.holderCommitmentSigned).toBe(true);
    const later = applyUpdate(
      closed.monitor,
      update(closed.monitor, {
        kind: 'latestCounterpartyCommitment',
        commitment: fx.counterpartyCommitment(1, {
          toHolderMsat: 700_000_000n,
          toCounterpartyMsat: 300_000_000n,
        }),
      }),
    );
    expect(later.afterLockdown).toBe(true);
    expect(later.monitor.unrevokedCounterpartyCommitments).toHaveLength(2);
  });

  it('does not lock down on a force close without broadcast', () => {
    const closed = applyUpdate(
      base,
      update(base, { kind: 'channelForceClosed', shouldBroadcast: false }),
    ).monitor;
    expect(closed.forceClosed).toBe(true);
    const later = applyUpdate(closed, update(closed, { kind: 'paymentPreimage', preimage: pay.preimage }));
    expect(later.afterLockdown).toBe(false);
  });
});
