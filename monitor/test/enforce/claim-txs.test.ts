/**
 * Claim inputs (claim-inputs.ts) and claim transactions (claim-tx.ts) against the embedded regtest
 * node, whose script interpreter, locktime and BIP 68 checks and mempool policy are independent of
 * the code that builds the transactions. Each scenario opens a channel on the node's chain, lets
 * one side broadcast a commitment and checks what the holder can then take:
 * - the counterparty's revoked commitment, without and with HTLCs, and its second-stage
 *   HTLC-success and HTLC-timeout transactions (justice);
 * - the counterparty's current commitment (preimage and timeout claims, to_remote);
 * - our own commitment, our HTLC transactions and the CSV-delayed sweeps.
 */
import { hash160 } from '@vigil/shared/bitcoin/hash';
import { p2pkhScript } from '@vigil/shared/bitcoin/output-scripts';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { encodeTx, txid, txWeight, type Transaction } from '@vigil/shared/bitcoin/tx';
import { equalBytes, toHex } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { fundingOutput } from '@vigil/shared/ln/funding';
import { deriveRevocationPrivkey } from '@vigil/shared/ln/keys';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import type {
  ChannelMonitor,
  CounterpartyCommitment,
  MonitorHtlc,
} from '@vigil/shared/monitor-model/channel-monitor';
import { secretIndexOfCommitment } from '@vigil/shared/monitor-model/commitment-checks';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import { type BalanceState, ChannelFixture, payment } from '@vigil/test/fixtures/channel-fixture';
import {
  fetchTx,
  fundConfirmed,
  height,
  mine,
  startTestNode,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import type { RpcClient } from '@vigil/test/support/regtest/rpc-client';
import { signSpend, testKey, txHex, txidHex } from '@vigil/test/support/regtest/test-wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimInput } from '../../src/enforce/claim-input.js';
import {
  counterpartyCommitmentInputs,
  holderCommitmentTx,
  holderDelayedInputs,
  holderHtlcTxs,
  revokedCommitmentInputs,
  revokedSecondStageInput,
} from '../../src/enforce/claim-inputs.js';
import { holderCommitmentTxids } from '../../src/enforce/classify-spend.js';
import {
  buildClaimTx,
  claimFeeSat,
  claimWeight,
  ClaimNotWorthwhileError,
} from '../../src/enforce/claim-tx.js';

const FUNDING_SAT = 1_000_000n;
/** 10 sat/vB: above the node's 1 sat/vB relay floor with room to spare. */
const FEERATE_PER_KW = 2500;
/** The delay we impose on the counterparty's outputs, and the one it imposes on ours. */
const { holderSelectedContestDelay, counterpartySelectedContestDelay } = new ChannelFixture().parameters;

const funder = testKey('claim-txs funder');
const destination = testKey('claim-txs destination').script;

let node: TestNode;
let rpc: RpcClient;

beforeAll(async () => {
  node = await startTestNode();
  rpc = node.rpc;
});

afterAll(() => node.regtest.stop());

/** A channel whose funding output is confirmed on the node's chain. */
async function openChannel(): Promise<ChannelFixture> {
  const { holderPubkeys, counterpartyPubkeys } = new ChannelFixture().parameters;
  const coin = await fundConfirmed(rpc, funder, FUNDING_SAT + 5_000n);
  const fundingTx = signSpend(
    [coin],
    [fundingOutput(holderPubkeys.fundingPubkey, counterpartyPubkeys.fundingPubkey, FUNDING_SAT)],
  );
  await rpc.call('sendrawtransaction', txHex(fundingTx));
  await mine(rpc, 1);
  return new ChannelFixture({
    fundingOutpoint: { txid: txid(fundingTx), vout: 0 },
    fundingValueSat: FUNDING_SAT,
  });
}

/** A new monitor whose commitments 0 are `holder` (our view) and `counterparty` (its view). */
function newMonitor(fixture: ChannelFixture, holder: BalanceState, counterparty: BalanceState) {
  return createChannelMonitor({
    ...fixture.init(),
    initialHolderCommitment: fixture.holderCommitment(0, holder),
    initialCounterpartyCommitment: fixture.counterpartyCommitment(0, counterparty),
  });
}

/** `monitor` after the first round: the counterparty signs 1 and revokes its commitment 0. */
function afterFirstRound(
  fixture: ChannelFixture,
  monitor: ChannelMonitor,
  state: BalanceState,
): ChannelMonitor {
  return fixture.firstRound(state).reduce((m, update) => applyUpdate(m, update).monitor, monitor);
}

/** The same HTLCs seen from the other side of the channel. */
function otherSide(htlcs: readonly MonitorHtlc[]): MonitorHtlc[] {
  return htlcs.map((htlc) => ({ ...htlc, offered: !htlc.offered }));
}

function htlc(n: number, offered: boolean, amountSat: bigint, cltvExpiry: number): MonitorHtlc {
  return {
    htlcId: BigInt(n),
    offered,
    amountMsat: amountSat * 1000n,
    paymentHash: payment(n).paymentHash,
    cltvExpiry,
  };
}

async function verdict(tx: Transaction): Promise<true | string> {
  const [result] = await rpc.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [
    txHex(tx),
  ]);
  return result!.allowed ? true : result!['reject-reason']!;
}

/** Broadcasts `tx`, mines it and returns the height it confirmed at. */
async function confirm(tx: Transaction): Promise<number> {
  expect(await rpc.call('sendrawtransaction', txHex(tx))).toBe(txidHex(tx));
  await mine(rpc, 1);
  return height(rpc);
}

/** Mines until the tip is at `target`. */
async function mineTo(target: number): Promise<void> {
  const tip = await height(rpc);
  if (target > tip) await mine(rpc, target - tip);
}

/**
 * Builds the claim of `inputs`, checks the node accepts it, mines it and checks the destination
 * got exactly their value less the fee `claimFeeSat` gives, at no less than the target feerate.
 */
async function claimAndCheck(inputs: readonly ClaimInput[]): Promise<Transaction> {
  const claim = buildClaimTx(inputs, destination, FEERATE_PER_KW);
  expect(await verdict(claim)).toBe(true);
  await confirm(claim);
  const mined = await fetchTx(rpc, txidHex(claim));
  const totalSat = inputs.reduce((sum, input) => sum + input.valueSat, 0n);
  const feeSat = claimFeeSat(inputs, destination, FEERATE_PER_KW);
  expect(mined.outputs).toEqual([{ valueSat: totalSat - feeSat, scriptPubKey: destination }]);
  expect(await rpc.call('getrawtransaction', txidHex(claim), true)).toMatchObject({ confirmations: 1 });
  expect(feeSat * 1000n).toBeGreaterThanOrEqual(BigInt(txWeight(claim) * FEERATE_PER_KW));
  return claim;
}

function byKind(inputs: readonly ClaimInput[], kind: ClaimInput['kind']): ClaimInput[] {
  return inputs.filter((input) => input.kind === kind);
}

describe('a revoked counterparty commitment without HTLCs', () => {
  const revokedState = { toHolderMsat: 600_000_000n, toCounterpartyMsat: 400_000_000n };
  let fixture: ChannelFixture;
  let monitor: ChannelMonitor;
  let record: CounterpartyCommitment;
  let secret: Uint8Array;
  let cheat: Transaction;
  let confirmedAt: number;
  let inputs: ClaimInput[];

  beforeAll(async () => {
    fixture = await openChannel();
    const created = newMonitor(fixture, revokedState, revokedState);
    record = created.counterpartyCommitments[0]!;
    monitor = afterFirstRound(fixture, created.monitor, {
      toHolderMsat: 650_000_000n,
      toCounterpartyMsat: 350_000_000n,
    });
    secret = monitor.counterpartySecrets.getSecret(secretIndexOfCommitment(0));
    cheat = fixture.signedCounterpartyCommitmentTx(0, revokedState);
    confirmedAt = await confirm(cheat);
    inputs = revokedCommitmentInputs(monitor, record, secret, cheat, confirmedAt);
  });

  it('takes to_local by revocation and to_remote, both aggregable; to_local is due before its CSV delay ends', () => {
    expect(inputs.map((i) => [i.kind, i.outpoint.vout, i.valueSat, i.aggregable])).toEqual(
      cheat.outputs.map((o, vout) => [
        // The counterparty's 400,000 sat; ours less the commitment fee we pay as the funder.
        o.valueSat === 400_000n ? 'revokedToLocal' : 'staticRemote',
        vout,
        o.valueSat,
        true,
      ]),
    );
    const [toLocal] = byKind(inputs, 'revokedToLocal');
    expect([toLocal!.deadlineHeight, toLocal!.csvDelay, toLocal!.locktime]).toEqual([
      confirmedAt + holderSelectedContestDelay - 1,
      0,
      0,
    ]);
    expect(byKind(inputs, 'staticRemote')[0]!.deadlineHeight).toBeUndefined();
  });

  it('refuses a secret that is not the commitment’s, and a transaction that is not the record’s', () => {
    const otherSecret = fixture.counterpartySecret(1).secret;
    expect(() => revokedCommitmentInputs(monitor, record, otherSecret, cheat, confirmedAt)).toThrow(
      new ValidationError(
        'perCommitmentSecret',
        "is not the secret of counterparty commitment 0's per-commitment point",
      ),
    );
    const other = fixture.signedCounterpartyCommitmentTx(1, revokedState);
    expect(() => revokedCommitmentInputs(monitor, record, secret, other, confirmedAt)).toThrow(
      `tx: txid ${txidHex(other)} is not ${txidHex(cheat)}, the txid counterparty commitment 0 rebuilds to`,
    );
  });

  it('has a claim signed with the revocation key of a wrong secret rejected by the script check', async () => {
    const wrongKey = deriveRevocationPrivkey(
      fixture.holder.revocationBasepointSecret,
      fixture.counterpartySecret(1).secret,
    );
    const [toLocal] = byKind(inputs, 'revokedToLocal');
    const forged = { ...toLocal!, signingKey: wrongKey, signingPubkey: pubkeyFromPrivkey(wrongKey) };
    expect(await verdict(buildClaimTx([forged], destination, FEERATE_PER_KW))).toBe(
      'mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)',
    );
  });

  it('builds byte-identical claims from the same inputs in any order', () => {
    const once = encodeTx(buildClaimTx(inputs, destination, FEERATE_PER_KW));
    const again = encodeTx(buildClaimTx([...inputs].reverse(), destination, FEERATE_PER_KW));
    expect(toHex(again)).toBe(toHex(once));
  });

  it('refuses a claim whose fee would exceed half its value, or whose output would be dust', () => {
    const [toRemote] = byKind(inputs, 'staticRemote');
    expect(() => buildClaimTx([toRemote!], destination, 1_000_000)).toThrow(ClaimNotWorthwhileError);
    expect(() => buildClaimTx([toRemote!], destination, 1_000_000)).toThrow(
      /^claim: the \d+ sat fee at 1000000 sat\/kW is more than half the 599276 sat claimed$/,
    );
    const feeSat = claimFeeSat([toRemote!], destination, 253);
    // Fee below half the value, but what is left is under 546 sat.
    const small = { ...toRemote!, valueSat: 2n * feeSat + 100n };
    expect(() => buildClaimTx([small], destination, 253)).toThrow(
      `claim: ${small.valueSat} sat less the ${feeSat} sat fee leaves ${feeSat + 100n} sat, below the 546 sat dust limit`,
    );
  });

  it('claims to_local and to_remote in one transaction; the destination gets their value less the fee', async () => {
    const claim = await claimAndCheck(inputs);
    expect(claim.inputs.map((i) => i.sequence)).toEqual([0xffff_fffd, 0xffff_fffd]);
    expect([claim.version, claim.locktime]).toEqual([2, 0]);
  });
});

describe('a revoked counterparty commitment with HTLCs', () => {
  let inputs: ClaimInput[];
  let confirmedAt: number;
  let offeredExpiry: number;

  beforeAll(async () => {
    const fixture = await openChannel();
    offeredExpiry = (await height(rpc)) + 50;
    // From the counterparty's side: it offered HTLC 1, we offered HTLC 2.
    const htlcs = [htlc(1, true, 100_000n, offeredExpiry), htlc(2, false, 150_000n, offeredExpiry + 10)];
    const revokedState = { toHolderMsat: 500_000_000n, toCounterpartyMsat: 250_000_000n, htlcs };
    const created = newMonitor(fixture, { ...revokedState, htlcs: otherSide(htlcs) }, revokedState);
    const monitor = afterFirstRound(fixture, created.monitor, {
      toHolderMsat: 600_000_000n,
      toCounterpartyMsat: 400_000_000n,
    });
    const cheat = fixture.signedCounterpartyCommitmentTx(0, revokedState);
    confirmedAt = await confirm(cheat);
    const secret = monitor.counterpartySecrets.getSecret(secretIndexOfCommitment(0));
    inputs = revokedCommitmentInputs(
      monitor,
      created.counterpartyCommitments[0]!,
      secret,
      cheat,
      confirmedAt,
    );
  });

  it('takes every HTLC output by revocation, each on its own, due by its timeout or at once', () => {
    expect(inputs.map((i) => i.kind).sort()).toEqual([
      'revokedHtlc',
      'revokedHtlc',
      'revokedToLocal',
      'staticRemote',
    ]);
    const htlcInputs = byKind(inputs, 'revokedHtlc').map((i) => [i.valueSat, i.aggregable, i.deadlineHeight]);
    expect(htlcInputs.sort()).toEqual([
      // Offered by the counterparty: its HTLC-timeout is valid after cltv_expiry.
      [100_000n, false, offeredExpiry],
      // Received by it: its HTLC-success needs only the preimage.
      [150_000n, false, confirmedAt + 1],
    ]);
  });

  it('refuses to put an HTLC input in a transaction with others', () => {
    expect(() => buildClaimTx(inputs, destination, FEERATE_PER_KW)).toThrow(
      /must be claimed alone, not with 3 others$/,
    );
  });

  it('claims to_local with to_remote in one transaction', async () => {
    await claimAndCheck(inputs.filter((i) => i.aggregable));
  });

  it('claims the HTLC output the counterparty offered, alone', async () => {
    await claimAndCheck(byKind(inputs, 'revokedHtlc').filter((i) => i.valueSat === 100_000n));
  });

  it('claims the HTLC output we offered, alone', async () => {
    await claimAndCheck(byKind(inputs, 'revokedHtlc').filter((i) => i.valueSat === 150_000n));
  });
});

describe("the cheater's HTLC transactions on its revoked commitment", () => {
  let fixture: ChannelFixture;
  let monitor: ChannelMonitor;
  let record: CounterpartyCommitment;
  let secret: Uint8Array;
  let cheat: Transaction;
  let commitmentInputs: ClaimInput[];
  let successInput: ClaimInput;
  let timeoutInput: ClaimInput;
  let successConfirmedAt: number;

  beforeAll(async () => {
    fixture = await openChannel();
    const offeredExpiry = (await height(rpc)) + 2;
    // The counterparty offered HTLC 3 (it times it out) and received HTLC 4 (it knows the preimage).
    const htlcs = [htlc(3, true, 120_000n, offeredExpiry), htlc(4, false, 130_000n, offeredExpiry + 40)];
    const revokedState = { toHolderMsat: 500_000_000n, toCounterpartyMsat: 250_000_000n, htlcs };
    const created = newMonitor(fixture, { ...revokedState, htlcs: otherSide(htlcs) }, revokedState);
    record = created.counterpartyCommitments[0]!;
    monitor = afterFirstRound(fixture, created.monitor, {
      toHolderMsat: 600_000_000n,
      toCounterpartyMsat: 400_000_000n,
    });
    secret = monitor.counterpartySecrets.getSecret(secretIndexOfCommitment(0));
    cheat = fixture.signedCounterpartyCommitmentTx(0, revokedState);
    const confirmedAt = await confirm(cheat);
    commitmentInputs = revokedCommitmentInputs(monitor, record, secret, cheat, confirmedAt);
    const htlcTxs = fixture.counterpartyHtlcTxs(0, revokedState, [payment(4).preimage]);
    const success = htlcTxs.find((t) => !t.offered)!.tx;
    const timeout = htlcTxs.find((t) => t.offered)!.tx;
    successConfirmedAt = await confirm(success);
    await mineTo(offeredExpiry);
    const timeoutConfirmedAt = await confirm(timeout);
    successInput = revokedSecondStageInput(monitor, record, secret, success, successConfirmedAt);
    timeoutInput = revokedSecondStageInput(monitor, record, secret, timeout, timeoutConfirmedAt);
  });

  it('finds the revocable output of its HTLC-success and HTLC-timeout transactions, due before their CSV delay ends', () => {
    expect(successInput).toMatchObject({
      kind: 'revokedSecondStage',
      outpoint: { vout: 0 },
      csvDelay: 0,
      locktime: 0,
      deadlineHeight: successConfirmedAt + holderSelectedContestDelay - 1,
      aggregable: true,
    });
    // What the HTLC held less the fee of the HTLC-success transaction (703 weight at 1000 sat/kW).
    expect(successInput.valueSat).toBe(130_000n - 703n);
    expect(timeoutInput.valueSat).toBe(120_000n - 663n);
  });

  it('refuses a transaction that does not spend the revoked commitment', () => {
    expect(() => revokedSecondStageInput(monitor, record, secret, cheat, 0)).toThrow(
      `htlcTx.inputs: spend no output of counterparty commitment 0 (${txidHex(cheat)})`,
    );
  });

  it('claims both second-stage outputs, to_local and to_remote in one transaction', async () => {
    const aggregable = commitmentInputs.filter((i) => i.aggregable);
    await claimAndCheck([...aggregable, successInput, timeoutInput]);
  });
});

describe("the counterparty's current commitment", () => {
  let inputs: ClaimInput[];
  let ourExpiry: number;
  let fixture: ChannelFixture;
  let monitor: ChannelMonitor;
  let record: CounterpartyCommitment;
  let commitment: Transaction;

  beforeAll(async () => {
    fixture = await openChannel();
    const tip = await height(rpc);
    ourExpiry = tip + 8;
    // From the counterparty's side: it offered 5 (we know the preimage) and 6 (we do not); we offered 7.
    const htlcs = [
      htlc(5, true, 110_000n, tip + 30),
      htlc(6, true, 90_000n, tip + 30),
      htlc(7, false, 140_000n, ourExpiry),
    ];
    const state = { toHolderMsat: 400_000_000n, toCounterpartyMsat: 260_000_000n, htlcs };
    const created = newMonitor(fixture, { ...state, htlcs: otherSide(htlcs) }, state);
    monitor = applyUpdate(created.monitor, {
      channelId: fixture.channelId,
      updateId: 1,
      steps: [{ kind: 'paymentPreimage', preimage: payment(5).preimage }],
    }).monitor;
    record = monitor.unrevokedCounterpartyCommitments.at(-1)!;
    commitment = fixture.signedCounterpartyCommitmentTx(0, state);
    await confirm(commitment);
    inputs = counterpartyCommitmentInputs(monitor, record, commitment, monitor.paymentPreimages);
  });

  it('takes to_remote, the HTLC whose preimage it knows and, after its expiry, the HTLC we offered', () => {
    expect(inputs.map((i) => [i.kind, i.valueSat, i.locktime, i.aggregable]).sort()).toEqual([
      ['counterpartyHtlcPreimage', 110_000n, 0, false],
      ['counterpartyHtlcTimeout', 140_000n, ourExpiry, false],
      // Ours less the commitment fee we pay as the funder (724 + 3 * 172 weight at 1000 sat/kW).
      ['staticRemote', 400_000n - 1_240n, 0, true],
    ]);
    expect(byKind(inputs, 'counterpartyHtlcPreimage')[0]!.preimage).toEqual(payment(5).preimage);
  });

  it('refuses a preimage that does not hash to its payment hash', () => {
    const wrong = new Map([[toHex(payment(5).paymentHash), payment(6).preimage]]);
    expect(() => counterpartyCommitmentInputs(monitor, record, commitment, wrong)).toThrow(
      `preimages[${toHex(payment(5).paymentHash)}]: is not a 32-byte preimage of its payment hash`,
    );
  });

  it('claims the HTLC offered to us with its preimage', async () => {
    await claimAndCheck(byKind(inputs, 'counterpartyHtlcPreimage'));
  });

  it('claims to_remote', async () => {
    await claimAndCheck(byKind(inputs, 'staticRemote'));
  });

  it('has the timeout claim rejected as non-final before cltv_expiry', async () => {
    await mineTo(ourExpiry - 1);
    const claim = buildClaimTx(byKind(inputs, 'counterpartyHtlcTimeout'), destination, FEERATE_PER_KW);
    expect([claim.locktime, claim.inputs[0]!.sequence]).toEqual([ourExpiry, 0xffff_fffd]);
    expect(await verdict(claim)).toBe('non-final');
  });

  it('claims the HTLC we offered once cltv_expiry is reached', async () => {
    await mineTo(ourExpiry);
    await claimAndCheck(byKind(inputs, 'counterpartyHtlcTimeout'));
  });
});

describe('our own commitment', () => {
  let monitor: ChannelMonitor;
  let commitment: Transaction;
  let commitmentConfirmedAt: number;
  let ourExpiry: number;
  const preimages = new Map([[toHex(payment(9).paymentHash), payment(9).preimage]]);
  let timeoutTxConfirmedAt: number;
  const delayed: ClaimInput[] = [];

  beforeAll(async () => {
    const fixture = await openChannel();
    const tip = await height(rpc);
    ourExpiry = tip + 4;
    // Our side: we offered 8; 9 (preimage known) and 10 (unknown) were offered to us.
    const htlcs = [
      htlc(8, true, 120_000n, ourExpiry),
      htlc(9, false, 130_000n, tip + 30),
      htlc(10, false, 80_000n, tip + 30),
    ];
    const state = { toHolderMsat: 420_000_000n, toCounterpartyMsat: 250_000_000n, htlcs };
    monitor = newMonitor(fixture, state, { ...state, htlcs: otherSide(htlcs) }).monitor;
    commitment = holderCommitmentTx(monitor, 'current');
  });

  it('has no previous commitment to sign on a new channel', () => {
    expect(() => holderCommitmentTx(monitor, 'previous')).toThrow(
      'which: the monitor holds no previous holder commitment',
    );
  });

  it('signs our current commitment with both funding keys; the node accepts it', async () => {
    expect(txid(commitment)).toEqual(holderCommitmentTxids(monitor).current);
    expect(await verdict(commitment)).toBe(true);
    commitmentConfirmedAt = await confirm(commitment);
    delayed.push(...holderDelayedInputs(monitor, 'current', commitment));
    expect(delayed.map((i) => [i.kind, i.outpoint.vout, i.csvDelay, i.deadlineHeight])).toEqual([
      [
        'holderDelayed',
        commitment.outputs.findIndex((o) => o.valueSat === 420_000n - 1_240n),
        counterpartySelectedContestDelay,
        undefined,
      ],
    ]);
  });

  it('signs the HTLC-success transaction for the HTLC whose preimage we know; the node accepts it', async () => {
    const htlcTxs = holderHtlcTxs(monitor, 'current', preimages);
    expect(htlcTxs.map((t) => [t.htlc.htlcId, t.htlc.offered, t.locktime])).toEqual(
      expect.arrayContaining([
        [8n, true, ourExpiry],
        [9n, false, 0],
      ]),
    );
    expect(htlcTxs).toHaveLength(2);
    const success = htlcTxs.find((t) => !t.htlc.offered)!.tx;
    await confirm(success);
    delayed.push(...holderDelayedInputs(monitor, 'current', success));
  });

  it('has the HTLC-timeout transaction rejected as non-final before cltv_expiry, accepted at it', async () => {
    const timeout = holderHtlcTxs(monitor, 'current', preimages).find((t) => t.htlc.offered)!.tx;
    await mineTo(ourExpiry - 1);
    expect(await verdict(timeout)).toBe('non-final');
    await mineTo(ourExpiry);
    timeoutTxConfirmedAt = await confirm(timeout);
    delayed.push(...holderDelayedInputs(monitor, 'current', timeout));
  });

  it('has the to_local sweep rejected before to_self_delay blocks (non-BIP68-final)', async () => {
    // The next block is at depth to_self_delay - 1: one short.
    await mineTo(commitmentConfirmedAt + counterpartySelectedContestDelay - 2);
    const sweep = buildClaimTx([delayed[0]!], destination, FEERATE_PER_KW);
    expect(sweep.inputs[0]!.sequence).toBe(counterpartySelectedContestDelay);
    expect(await verdict(sweep)).toBe('non-BIP68-final');
  });

  it('sweeps to_local and both HTLC transaction outputs in one transaction once their delays have passed', async () => {
    expect(delayed.map((i) => i.kind)).toEqual(['holderDelayed', 'holderDelayed', 'holderDelayed']);
    await mineTo(timeoutTxConfirmedAt + counterpartySelectedContestDelay - 1);
    const claim = await claimAndCheck(delayed);
    expect(claim.inputs.every((i) => i.sequence === counterpartySelectedContestDelay)).toBe(true);
    expect(equalBytes(claim.outputs[0]!.scriptPubKey, destination)).toBe(true);
  });
});

describe('claimWeight', () => {
  it('counts each signature at its largest, so it bounds the signed weight from above', () => {
    const fixture = new ChannelFixture();
    const key = fixture.holder.paymentBasepointSecret;
    const pubkey = pubkeyFromPrivkey(key);
    const input: ClaimInput = {
      kind: 'staticRemote',
      outpoint: { txid: new Uint8Array(32).fill(1), vout: 0 },
      valueSat: 100_000n,
      script: p2pkhScript(hash160(pubkey)),
      signingKey: key,
      signingPubkey: pubkey,
      csvDelay: 0,
      locktime: 0,
      deadlineHeight: undefined,
      aggregable: true,
    };
    const signed = buildClaimTx([input], destination, FEERATE_PER_KW);
    // A low-S DER signature is at most 71 bytes plus the sighash byte; the estimate counts 73.
    expect(claimWeight([input], destination) - txWeight(signed)).toBeGreaterThanOrEqual(1);
    expect(claimWeight([input], destination) - txWeight(signed)).toBeLessThanOrEqual(3);
  });
});
