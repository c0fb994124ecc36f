import { txid, type Transaction } from '@vigil/shared/bitcoin/tx';
import { ValidationError } from '@vigil/shared/errors';
import { buildSideCommitment, obscuringFactor } from '@vigil/shared/ln/channel-parameters';
import { encodeCommitmentNumber } from '@vigil/shared/ln/commitment-number';
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
import { describe, expect, it } from 'vitest';
import { classifyFundingSpend, holderCommitmentTxids } from '../../src/enforce/classify-spend.js';
import { balancesOf, channelIdOf, fixture, initOf, updatesOf } from '@vigil/test/fixtures/channel-series';

const channelId = channelIdOf(1);

/**
 * The series' monitor after each update (index = latest update id) and every counterparty
 * commitment record it emitted, by number, as the store keeps them.
 */
const created = createChannelMonitor(initOf(channelId));
const monitors: ChannelMonitor[] = [created.monitor];
const records = new Map<number, CounterpartyCommitment>();
for (const record of created.counterpartyCommitments) records.set(record.commitmentNumber, record);
for (const update of updatesOf(channelId, 1, 15)) {
  const applied = applyUpdate(monitors.at(-1)!, update);
  monitors.push(applied.monitor);
  for (const record of applied.counterpartyCommitments) records.set(record.commitmentNumber, record);
}
/** Round 1 done: holder 1 (previous 0), counterparty 1 unrevoked, its commitment 0 revoked. */
const afterRound1 = monitors[3]!;
/** Round 2 started: counterparty 1 and 2 unrevoked. */
const twoUnrevoked = monitors[4]!;
/** Round 5 done: counterparty commitments 0 to 4 revoked. */
const afterRound5 = monitors[15]!;

const storedRecord = (n: number) => records.get(n);
const noRecord = () => undefined;

function holderTx(monitor: ChannelMonitor, commitment: HolderCommitment): Transaction {
  const point = holderPerCommitmentPoint(monitor.secrets, commitment.commitmentNumber);
  return buildSideCommitment(monitor.parameters, 'holder', holderCommitmentState(commitment, point)).tx;
}

function counterpartyTx(monitor: ChannelMonitor, record: CounterpartyCommitment): Transaction {
  return buildSideCommitment(monitor.parameters, 'counterparty', counterpartyCommitmentState(record)).tx;
}

/** A transaction spending the funding output with the given locktime and sequence. */
function fundingSpend(locktime: number, sequence: number): Transaction {
  const p2wpkh = (fill: number) => Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(fill));
  return {
    version: 2,
    inputs: [
      {
        prevout: fixture.parameters.fundingOutpoint,
        scriptSig: new Uint8Array(0),
        sequence,
        witness: [new Uint8Array(0), new Uint8Array(71), new Uint8Array(72), new Uint8Array(71)],
      },
    ],
    outputs: [
      { valueSat: 699_000n, scriptPubKey: p2wpkh(1) },
      { valueSat: 300_000n, scriptPubKey: p2wpkh(2) },
    ],
    locktime,
  };
}

describe('classifyFundingSpend', () => {
  it('recognises our current holder commitment', () => {
    const commitment = afterRound1.currentHolderCommitment;
    const tx = holderTx(afterRound1, commitment);
    expect(classifyFundingSpend(afterRound1, tx, storedRecord)).toEqual({
      kind: 'holderCommitment',
      txid: txid(tx),
      which: 'current',
      commitment,
    });
  });

  it('recognises our previous holder commitment', () => {
    const commitment = afterRound1.previousHolderCommitment!;
    const tx = holderTx(afterRound1, commitment);
    expect(classifyFundingSpend(afterRound1, tx, storedRecord)).toEqual({
      kind: 'holderCommitment',
      txid: txid(tx),
      which: 'previous',
      commitment,
    });
  });

  it('recognises the only unrevoked counterparty commitment as current, apart from our own of the same number', () => {
    const [record] = afterRound1.unrevokedCounterpartyCommitments;
    expect(record!.commitmentNumber).toBe(afterRound1.currentHolderCommitment.commitmentNumber);
    const tx = counterpartyTx(afterRound1, record!);
    expect(classifyFundingSpend(afterRound1, tx, storedRecord)).toEqual({
      kind: 'counterpartyCommitment',
      txid: record!.txid,
      which: 'current',
      record,
    });
  });

  it('recognises the newer of two unrevoked counterparty commitments as current', () => {
    const record = twoUnrevoked.unrevokedCounterpartyCommitments[1]!;
    expect(record.commitmentNumber).toBe(2);
    const spend = classifyFundingSpend(twoUnrevoked, counterpartyTx(twoUnrevoked, record), storedRecord);
    expect(spend).toEqual({ kind: 'counterpartyCommitment', txid: record.txid, which: 'current', record });
  });

  it('recognises the older of two unrevoked counterparty commitments as previous', () => {
    const record = twoUnrevoked.unrevokedCounterpartyCommitments[0]!;
    expect(record.commitmentNumber).toBe(1);
    const spend = classifyFundingSpend(twoUnrevoked, counterpartyTx(twoUnrevoked, record), storedRecord);
    expect(spend).toEqual({ kind: 'counterpartyCommitment', txid: record.txid, which: 'previous', record });
  });

  it('recognises the revoked counterparty commitment 0 once its secret was received', () => {
    const record = records.get(0)!;
    const spend = classifyFundingSpend(afterRound1, counterpartyTx(afterRound1, record), storedRecord);
    expect(spend).toEqual({
      kind: 'revokedCounterpartyCommitment',
      txid: record.txid,
      commitmentNumber: 0,
      record,
      perCommitmentSecret: fixture.counterpartySecret(0).secret,
    });
  });

  it('treats counterparty commitment 0 as unrevoked before its secret is received', () => {
    const monitor = created.monitor;
    const record = records.get(0)!;
    const spend = classifyFundingSpend(monitor, counterpartyTx(monitor, record), storedRecord);
    expect(spend).toMatchObject({ kind: 'counterpartyCommitment', which: 'current', record });
  });

  it('recognises a counterparty commitment revoked several rounds back from its stored record', () => {
    const record = records.get(1)!;
    expect(afterRound5.unrevokedCounterpartyCommitments.map((c) => c.commitmentNumber)).toEqual([5]);
    const spend = classifyFundingSpend(afterRound5, counterpartyTx(afterRound5, record), storedRecord);
    expect(spend).toEqual({
      kind: 'revokedCounterpartyCommitment',
      txid: record.txid,
      commitmentNumber: 1,
      record,
      perCommitmentSecret: fixture.counterpartySecret(1).secret,
    });
  });

  it('reports a revoked commitment without a stored record as revokedUnknown, with its secret', () => {
    const tx = counterpartyTx(afterRound5, records.get(3)!);
    expect(classifyFundingSpend(afterRound5, tx, noRecord)).toEqual({
      kind: 'revokedUnknown',
      txid: txid(tx),
      commitmentNumber: 3,
      perCommitmentSecret: fixture.counterpartySecret(3).secret,
    });
  });

  it('reports a revoked commitment whose record has another txid as revokedUnknown', () => {
    const tx = counterpartyTx(afterRound5, records.get(3)!);
    const otherRecord = fixture.counterpartyCommitment(3, balancesOf(4));
    const spend = classifyFundingSpend(afterRound5, tx, () => otherRecord);
    expect(spend).toMatchObject({ kind: 'revokedUnknown', commitmentNumber: 3 });
  });

  it('recognises a cooperative close (locktime 0, final sequence)', () => {
    const tx = fundingSpend(0, 0xffff_ffff);
    expect(classifyFundingSpend(afterRound5, tx, storedRecord)).toEqual({
      kind: 'cooperativeClose',
      txid: txid(tx),
    });
  });

  it('takes any other spend whose locktime and sequence are not commitment-shaped for a cooperative close', () => {
    const tx = fundingSpend(850_000, 0xffff_fffd);
    expect(classifyFundingSpend(afterRound5, tx, storedRecord)).toMatchObject({ kind: 'cooperativeClose' });
  });

  it("reports a commitment-shaped spend with our current commitment's number but another txid as unknown", () => {
    const { commitmentNumber } = afterRound5.currentHolderCommitment;
    const { locktime, sequence } = encodeCommitmentNumber(
      commitmentNumber,
      obscuringFactor(afterRound5.parameters),
    );
    const tx = fundingSpend(locktime, sequence);
    expect(classifyFundingSpend(afterRound5, tx, storedRecord)).toEqual({
      kind: 'unknownCommitment',
      txid: txid(tx),
      commitmentNumber,
    });
  });

  it('reports a commitment-shaped spend with a number not reached yet as unknown', () => {
    const { locktime, sequence } = encodeCommitmentNumber(1_000, obscuringFactor(afterRound5.parameters));
    const spend = classifyFundingSpend(afterRound5, fundingSpend(locktime, sequence), storedRecord);
    expect(spend).toMatchObject({ kind: 'unknownCommitment', commitmentNumber: 1_000 });
  });

  it('refuses a transaction that does not spend the funding outpoint', () => {
    const tx = fundingSpend(0, 0xffff_ffff);
    const elsewhere: Transaction = {
      ...tx,
      inputs: [{ ...tx.inputs[0]!, prevout: { ...fixture.parameters.fundingOutpoint, vout: 0 } }],
    };
    expect(() => classifyFundingSpend(afterRound5, elsewhere, storedRecord)).toThrow(ValidationError);
  });

  it('rebuilds the holder commitment txids once per monitor value', () => {
    const txids = holderCommitmentTxids(afterRound5);
    expect(holderCommitmentTxids(afterRound5)).toBe(txids);
    expect(txids).toEqual({
      current: txid(holderTx(afterRound5, afterRound5.currentHolderCommitment)),
      previous: txid(holderTx(afterRound5, afterRound5.previousHolderCommitment!)),
    });
    expect(holderCommitmentTxids(created.monitor).previous).toBeUndefined();
  });
});
