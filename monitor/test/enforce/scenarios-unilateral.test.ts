/**
 * Issue 6's unilateral-close scenarios (BOLT 5 "Unilateral Close Handling"), end to end: real
 * channel states made by the channel state machine (ChannelPair), A's monitors fed over their real
 * protocol by a RemoteWatch, the chain a vigil-regtest node (test/src/scenario/enforcement-harness.ts).
 * Each scenario checks what reached A's destination script, to the satoshi, against the values the
 * channel committed to less the fees read from the claim transactions, and the events the manager
 * received over gRPC.
 *
 * - 4: B's current commitment carries an HTLC B offered and A fulfilled off-chain: A claims it
 *   with the preimage.
 * - 5: B's current commitment carries an HTLC A offered: A times it out after its expiry, and
 *   reports the failure only once the timeout claim is ANTI_REORG_DELAY deep.
 * - 6: A's manager force-closes: the monitors broadcast A's commitment, then its HTLC-success and
 *   HTLC-timeout transactions, then sweep every delayed output after to_self_delay.
 * - 7: an HTLC A offered expires unresolved: at cltv_expiry + LATENCY_GRACE_PERIOD_BLOCKS the
 *   monitors broadcast A's commitment themselves, then time the HTLC out and sweep.
 *
 * Amounts (ChannelPair's defaults): funding 1,000,000 sat, 400,000,000 msat pushed to B, the
 * commitment feerate 1000 sat/kW paid by A (the opener), so a commitment pays
 * 724 + 172 * (HTLC outputs) sat and an HTLC-timeout (success) transaction 663 (703) sat
 * (BOLT 3 "Fee Calculation"). to_self_delay on A's outputs is B's default, 144 blocks.
 */
import { type Transaction, txid, txidHex, txWeight } from '@vigil/shared/bitcoin/tx';
import { equalBytes, reverseBytes, toHex } from '@vigil/shared/bytes';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { CONFIG } from '@vigil/test/fixtures/channel-pair';
import { settle } from '@vigil/test/fixtures/frozen-channel';
import { EnforcementScenario, type PendingHtlc } from '@vigil/test/scenario/enforcement-harness';
import { fetchTx } from '@vigil/test/support/regtest/regtest-fixture';
import { eventually } from '@vigil/test/support/wait';
import { afterEach, describe, expect, it } from 'vitest';

const FUNDING_SAT = 1_000_000n;
/** What A holds at opening: the funding less ChannelPair's default push. */
const A_OPENING_SAT = 600_000n;
/** The commitment's fee at 1000 sat/kW (BOLT 3): 724 weight, plus 172 per HTLC output. */
const commitmentFeeSat = (htlcOutputs: number) => BigInt(724 + 172 * htlcOutputs);
/** HTLC-timeout and HTLC-success fees at 1000 sat/kW (BOLT 3: 663 and 703 weight). */
const HTLC_TIMEOUT_FEE_SAT = 663n;
const HTLC_SUCCESS_FEE_SAT = 703n;
/** The minimum relay feerate in sat/kW, which every claim pays at least. */
const MIN_RELAY_PER_KW = 253;

const ANTI_REORG_DELAY = 6;

let scenario: EnforcementScenario | undefined;

afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
}, 60_000);

async function start(): Promise<EnforcementScenario> {
  scenario = await EnforcementScenario.start({ monitors: 2 });
  expect(scenario.b.deps.config.toSelfDelay).toBe(CONFIG.toSelfDelay);
  return scenario;
}

/** Mines up to height `target` (nothing when the tip is there already). */
async function mineTo(s: EnforcementScenario, target: number): Promise<void> {
  const count = target - (await s.tipHeight());
  if (count > 0) await s.mine(count);
}

/** The mempool's transactions spending `outpoint` (`vout` of `parent`), or any output of `parent`. */
async function mempoolSpends(
  s: EnforcementScenario,
  parent: Transaction,
  vout?: number,
): Promise<Transaction[]> {
  const parentTxid = txid(parent);
  const txs = await Promise.all(
    (await s.node.rpc.call<string[]>('getrawmempool')).map((id) => fetchTx(s.node.rpc, id)),
  );
  return txs.filter((tx) =>
    tx.inputs.some(
      (i) => equalBytes(i.prevout.txid, parentTxid) && (vout === undefined || i.prevout.vout === vout),
    ),
  );
}

/** The one mempool transaction spending output `vout` of `parent`. */
async function mempoolSpend(s: EnforcementScenario, parent: Transaction, vout: number): Promise<Transaction> {
  const spends = await mempoolSpends(s, parent, vout);
  expect(spends, `spends of ${txidHex(parent)}:${vout} in the mempool`).toHaveLength(1);
  return spends[0]!;
}

/** The output of `tx` worth `valueSat` (each value is distinct in these scenarios). */
function outputWorth(tx: Transaction, valueSat: bigint): number {
  const vout = tx.outputs.findIndex((o) => o.valueSat === valueSat);
  expect(vout, `${txidHex(tx)} has an output of ${valueSat} sat`).toBeGreaterThanOrEqual(0);
  return vout;
}

/** What `tx` pays in fees: its inputs' values (from the chain) less its outputs'. */
async function feeOf(s: EnforcementScenario, tx: Transaction): Promise<bigint> {
  let inSat = 0n;
  for (const input of tx.inputs) {
    const parent = await fetchTx(s.node.rpc, toHex(reverseBytes(input.prevout.txid)));
    inSat += parent.outputs[input.prevout.vout]!.valueSat;
  }
  return inSat - tx.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
}

/**
 * A claim of ours: one output, to A's destination, paying at least the minimum relay feerate on
 * its actual weight (and not more than a few times it). Returns its fee.
 */
async function claimFee(s: EnforcementScenario, claim: Transaction): Promise<bigint> {
  expect(claim.outputs).toHaveLength(1);
  expect(toHex(claim.outputs[0]!.scriptPubKey)).toBe(toHex(s.a.deps.destinationScript));
  const fee = await feeOf(s, claim);
  expect(fee * 1000n).toBeGreaterThanOrEqual(BigInt(MIN_RELAY_PER_KW * txWeight(claim)));
  expect(fee * 1000n).toBeLessThan(BigInt(4 * MIN_RELAY_PER_KW * txWeight(claim)));
  return fee;
}

/**
 * Has both monitors process the chain to the tip, then waits until the manager acknowledged every
 * event they enqueued (their outboxes are empty): `s.events` is then complete for this tip.
 */
async function step(s: EnforcementScenario): Promise<readonly MonitorEvent[]> {
  await s.pollMonitors();
  await eventually(async () => {
    for (const monitor of s.monitors) {
      const [row] = await monitor.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM event_outbox`;
      if (row!.n > 0) return false;
    }
    return true;
  }, "the monitors' events acknowledged by the manager");
  return s.events;
}

const kinds = (events: readonly MonitorEvent[]) => events.map((e) => e.kind);

function htlcResolved(htlc: PendingHtlc, valueSat: bigint, preimage: Uint8Array | undefined) {
  return { kind: 'htlcResolved', htlcId: htlc.htlcId, paymentHash: htlc.paymentHash, preimage, valueSat };
}

/** A's channel's funding output is spent in the mempool by `tx`, its current commitment. */
async function holderCommitmentInMempool(s: EnforcementScenario): Promise<Transaction> {
  const [commitment, ...others] = await mempoolSpends(s, s.fundingTx);
  expect(others).toEqual([]);
  expect(commitment).toBeDefined();
  expect(txidHex(commitment!)).toBe(toHex(reverseBytes(s.a.channel.commitments!.localCommit.txid)));
  return commitment!;
}

/**
 * Completes A's updates as its monitors make them durable until A releases a `type` message,
 * left in A's outbox: nothing is delivered meanwhile.
 */
async function releasedByA(s: EnforcementScenario, type: string): Promise<void> {
  const { a } = s;
  while (!a.outbox.some((m) => m.type === type)) {
    if (a.watch.inProgress.length === 0) throw new Error(`A has nothing in progress and sent no ${type}`);
    await s.manager.durable.next();
    for (const id of s.manager.durable.take()) a.complete(id);
  }
}

/**
 * B broadcasts `commitment`, unrevoked, carrying `htlc` (B offered it, 30,000 sat, A knows its
 * preimage) and A's whole balance (A_OPENING_SAT) less the commitment fee as `to_remote`: A
 * claims both, the HTLC with the preimage, and reports the preimage as soon as its claim is on
 * the chain.
 */
async function expectPreimageClaimed(
  s: EnforcementScenario,
  commitment: Transaction,
  htlc: PendingHtlc,
): Promise<void> {
  const { a } = s;
  expect(FUNDING_SAT - commitment.outputs.reduce((sum, o) => sum + o.valueSat, 0n)).toBe(commitmentFeeSat(1));
  const toRemoteSat = A_OPENING_SAT - commitmentFeeSat(1);
  const toRemote = outputWorth(commitment, toRemoteSat);
  const htlcOutput = outputWorth(commitment, 30_000n);

  await s.broadcast(commitment);
  await s.mine(1);
  const commitmentHeight = await s.tipHeight();
  await step(s);
  const remoteClaim = await mempoolSpend(s, commitment, toRemote);
  const preimageClaim = await mempoolSpend(s, commitment, htlcOutput);
  expect(preimageClaim.inputs).toHaveLength(1);
  expect(preimageClaim.inputs[0]!.witness.map(toHex)).toContain(toHex(htlc.preimage));
  expect(preimageClaim.locktime).toBe(0);

  // The preimage claim confirmed: its event at once.
  await s.mine(1);
  let events = await step(s);
  expect(events).toMatchObject([htlcResolved(htlc, 30_000n, htlc.preimage)]);

  // ANTI_REORG_DELAY deep: the commitment, then both claims.
  await mineTo(s, commitmentHeight + ANTI_REORG_DELAY);
  events = await step(s);
  const claims = [remoteClaim, preimageClaim].map((tx) => toHex(txid(tx))).sort();
  expect(events[0]).toMatchObject(htlcResolved(htlc, 30_000n, htlc.preimage));
  expect(events[1]).toEqual({
    kind: 'commitmentTxConfirmed',
    channelId: a.channel.channelId,
    txid: txid(commitment),
  });
  expect(kinds(events.slice(2)).sort()).toEqual(
    ['claimConfirmed', 'claimConfirmed', 'spendableOutputs', 'spendableOutputs'].sort(),
  );
  const confirmedClaims = events.flatMap((e) => (e.kind === 'claimConfirmed' ? [toHex(e.txid)] : []));
  expect(confirmedClaims.sort()).toEqual(claims);
  expect(events).toHaveLength(6);

  const remoteFee = await claimFee(s, remoteClaim);
  const preimageFee = await claimFee(s, preimageClaim);
  expect(remoteClaim.outputs[0]!.valueSat).toBe(toRemoteSat - remoteFee);
  expect(preimageClaim.outputs[0]!.valueSat).toBe(30_000n - preimageFee);
  const spendable = events.flatMap((e) =>
    e.kind === 'spendableOutputs' ? e.outputs.map((o) => o.valueSat) : [],
  );
  expect(spendable.sort()).toEqual([30_000n - preimageFee, toRemoteSat - remoteFee].sort());
  expect(await s.destinationBalance()).toBe(toRemoteSat - remoteFee + (30_000n - preimageFee));
}

describe('unilateral closes (issue 6)', () => {
  it("4: B's current commitment carries an HTLC A fulfilled off-chain: A claims it with the preimage", async () => {
    const s = await start();
    const { a, b } = s;
    const htlc = await s.addHtlc(b, 30_000_000n, (await s.tipHeight()) + 200);

    // A fulfils: the preimage goes to A's monitors first, then update_fulfill_htlc to B; nobody
    // signs a new commitment, so B's current one still carries the HTLC.
    a.take(a.channel.fulfillHtlc(htlc.htlcId, htlc.preimage));
    await settle(s.pair, s.manager.durable);
    expect(a.sent.at(-1)).toBe('update_fulfill_htlc');
    const snapshot = s.snapshotCounterpartyCommitment();
    expect(snapshot.commitmentNumber).toBe(b.channel.commitments!.localCommit.index);
    await expectPreimageClaimed(s, snapshot.commitment, htlc);
  }, 60_000);

  it("4, before B revokes it: B broadcasts the commitment A's signature just replaced: A claims with the preimage", async () => {
    const s = await start();
    const { a, b } = s;
    const htlc = await s.addHtlc(b, 30_000_000n, (await s.tipHeight()) + 200);
    const withHtlc = s.snapshotCounterpartyCommitment();

    // A fulfils and signs B's next commitment, without the HTLC (each released once A's monitors
    // hold the preimage, then the new record). B takes it and would revoke the one carrying the
    // HTLC, but broadcasts that one instead: its revoke_and_ack never reaches A.
    a.take(a.channel.fulfillHtlc(htlc.htlcId, htlc.preimage));
    await settle(s.pair, s.manager.durable);
    a.take(a.channel.commit());
    await releasedByA(s, 'commitment_signed');
    s.pair.deliver(a);
    expect(b.channel.commitments!.localCommit.index).toBe(withHtlc.commitmentNumber + 1);
    expect(b.outbox.map((m) => m.type)).toContain('revoke_and_ack');
    b.outbox.length = 0;
    await expectPreimageClaimed(s, withHtlc.commitment, htlc);
  }, 60_000);

  it("5: B's current commitment carries A's HTLC: A times it out after cltv_expiry, the failure 6 deep", async () => {
    const s = await start();
    const { a, b } = s;
    const expiry = (await s.tipHeight()) + 20;
    const htlc = await s.addHtlc(a, 40_000_000n, expiry);
    const snapshot = s.snapshotCounterpartyCommitment();
    expect(snapshot.commitmentNumber).toBe(b.channel.commitments!.localCommit.index);
    const commitment = snapshot.commitment;
    expect(FUNDING_SAT - commitment.outputs.reduce((sum, o) => sum + o.valueSat, 0n)).toBe(
      commitmentFeeSat(1),
    );
    const toRemoteSat = A_OPENING_SAT - 40_000n - commitmentFeeSat(1);
    const toRemote = outputWorth(commitment, toRemoteSat);
    const htlcOutput = outputWorth(commitment, 40_000n);

    await s.broadcast(commitment);
    await s.mine(1);
    await step(s);
    const remoteClaim = await mempoolSpend(s, commitment, toRemote);

    // Not before cltv_expiry: the claim's nLockTime is the expiry, valid in the block after it.
    await mineTo(s, expiry - 1);
    await step(s);
    expect(await mempoolSpends(s, commitment, htlcOutput)).toEqual([]);
    await mineTo(s, expiry);
    await step(s);
    const timeoutClaim = await mempoolSpend(s, commitment, htlcOutput);
    expect(timeoutClaim.locktime).toBe(expiry);
    await s.mine(1);
    const claimHeight = await s.tipHeight();
    expect(await s.confirmations(timeoutClaim)).toBe(1);

    // 5 deep: no failure yet.
    await mineTo(s, claimHeight + ANTI_REORG_DELAY - 2);
    expect(await s.confirmations(timeoutClaim)).toBe(ANTI_REORG_DELAY - 1);
    let events = await step(s);
    expect(kinds(events)).not.toContain('htlcResolved');
    // 6 deep: the failure.
    await s.mine(1);
    events = await step(s);
    const failures = events.filter((e) => e.kind === 'htlcResolved');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject(htlcResolved(htlc, 40_000n, undefined));
    expect(kinds(events).sort()).toEqual(
      [
        'commitmentTxConfirmed',
        'claimConfirmed',
        'spendableOutputs',
        'htlcResolved',
        'claimConfirmed',
        'spendableOutputs',
      ].sort(),
    );
    expect(events.find((e) => e.kind === 'commitmentTxConfirmed')).toEqual({
      kind: 'commitmentTxConfirmed',
      channelId: a.channel.channelId,
      txid: txid(commitment),
    });

    const remoteFee = await claimFee(s, remoteClaim);
    const timeoutFee = await claimFee(s, timeoutClaim);
    expect(remoteClaim.outputs[0]!.valueSat).toBe(toRemoteSat - remoteFee);
    expect(timeoutClaim.outputs[0]!.valueSat).toBe(40_000n - timeoutFee);
    expect(await s.destinationBalance()).toBe(toRemoteSat - remoteFee + (40_000n - timeoutFee));
  }, 60_000);

  it('6: A force-closes: its commitment, HTLC-success and HTLC-timeout, CSV sweeps, SpendableOutputs', async () => {
    const s = await start();
    const { a } = s;
    const tip = await s.tipHeight();
    const inbound = await s.addHtlc(s.b, 30_000_000n, tip + 100);
    const outbound = await s.addHtlc(a, 40_000_000n, tip + 15);
    a.take(a.channel.fulfillHtlc(inbound.htlcId, inbound.preimage));
    await settle(s.pair, s.manager.durable);

    // The operator force-closes A: ChannelForceClosed { shouldBroadcast } goes to the monitors;
    // the error to B is lost with the connection.
    const closed = a.take(a.channel.forceClose());
    a.outbox.length = 0;
    expect(a.watch.updates.at(-1)!.steps).toEqual([{ kind: 'channelForceClosed', shouldBroadcast: true }]);
    const managerCommitment = closed.find((o) => o.kind === 'broadcast' && o.purpose === 'holderCommitment');
    expect(managerCommitment?.kind).toBe('broadcast');
    await settle(s.pair, s.manager.durable);

    let events = await step(s);
    const commitment = await holderCommitmentInMempool(s);
    if (managerCommitment?.kind === 'broadcast')
      expect(txidHex(commitment)).toBe(txidHex(managerCommitment.tx));
    expect(events).toMatchObject([
      {
        kind: 'holderForceClosedWithInfo',
        channelId: a.channel.channelId,
        fundingOutpoint: { txid: txid(s.fundingTx), vout: 0 },
        reason: 'the manager force-closed the channel',
      },
    ]);
    expect(FUNDING_SAT - commitment.outputs.reduce((sum, o) => sum + o.valueSat, 0n)).toBe(
      commitmentFeeSat(2),
    );
    const toLocalSat = A_OPENING_SAT - 40_000n - commitmentFeeSat(2);
    const toLocal = outputWorth(commitment, toLocalSat);
    const inboundOutput = outputWorth(commitment, 30_000n);
    const outboundOutput = outputWorth(commitment, 40_000n);

    // Confirmed: the HTLC-success transaction at once (A knows the preimage); the HTLC-timeout
    // waits for the outbound HTLC's expiry.
    await s.mine(1);
    const commitmentHeight = await s.tipHeight();
    await step(s);
    const success = await mempoolSpend(s, commitment, inboundOutput);
    expect(success.outputs).toHaveLength(1);
    expect(success.outputs[0]!.valueSat).toBe(30_000n - HTLC_SUCCESS_FEE_SAT);
    expect(await mempoolSpends(s, commitment, outboundOutput)).toEqual([]);
    await s.mine(1);
    const successHeight = await s.tipHeight();
    events = await step(s);
    expect(events).toMatchObject([
      { kind: 'holderForceClosedWithInfo' },
      htlcResolved(inbound, 30_000n, inbound.preimage),
    ]);

    await mineTo(s, tip + 15);
    await step(s);
    const timeout = await mempoolSpend(s, commitment, outboundOutput);
    expect(timeout.locktime).toBe(tip + 15);
    expect(timeout.outputs).toHaveLength(1);
    expect(timeout.outputs[0]!.valueSat).toBe(40_000n - HTLC_TIMEOUT_FEE_SAT);
    await s.mine(1);
    const timeoutHeight = await s.tipHeight();

    // to_local after to_self_delay: BIP 68 counts the commitment's block as the first.
    const delay = CONFIG.toSelfDelay;
    await mineTo(s, commitmentHeight + delay - 2);
    await step(s);
    expect(await mempoolSpends(s, commitment, toLocal)).toEqual([]);
    await mineTo(s, commitmentHeight + delay - 1);
    await step(s);
    const toLocalSweep = await mempoolSpend(s, commitment, toLocal);
    expect(toLocalSweep.inputs[0]!.sequence).toBe(delay);
    await mineTo(s, successHeight + delay - 1);
    await step(s);
    const successSweep = await mempoolSpend(s, success, 0);
    await mineTo(s, timeoutHeight + delay - 1);
    await step(s);
    const timeoutSweep = await mempoolSpend(s, timeout, 0);
    await s.mine(1);
    const lastSweepHeight = await s.tipHeight();
    await mineTo(s, lastSweepHeight + ANTI_REORG_DELAY - 1);
    events = await step(s);

    const sweeps = [toLocalSweep, successSweep, timeoutSweep];
    const fees = await Promise.all(sweeps.map((tx) => claimFee(s, tx)));
    const owed = [toLocalSat, 30_000n - HTLC_SUCCESS_FEE_SAT, 40_000n - HTLC_TIMEOUT_FEE_SAT];
    sweeps.forEach((tx, i) => expect(tx.outputs[0]!.valueSat).toBe(owed[i]! - fees[i]!));
    expect(await s.destinationBalance()).toBe(owed.reduce((x, y) => x + y) - fees.reduce((x, y) => x + y));

    expect(kinds(events).slice(0, 2)).toEqual(['holderForceClosedWithInfo', 'htlcResolved']);
    expect(kinds(events).slice(2).sort()).toEqual(
      [
        'commitmentTxConfirmed',
        'htlcResolved',
        'claimConfirmed',
        'claimConfirmed',
        'claimConfirmed',
        'spendableOutputs',
        'spendableOutputs',
        'spendableOutputs',
      ].sort(),
    );
    expect(events.filter((e) => e.kind === 'htlcResolved')[1]).toMatchObject(
      htlcResolved(outbound, 40_000n, undefined),
    );
    expect(events.find((e) => e.kind === 'commitmentTxConfirmed')).toMatchObject({ txid: txid(commitment) });
    const spendable = events.flatMap((e) =>
      e.kind === 'spendableOutputs' ? e.outputs.map((o) => o.valueSat) : [],
    );
    expect(spendable.sort()).toEqual(owed.map((v, i) => v - fees[i]!).sort());
  }, 60_000);

  it("7: an outbound HTLC expires unresolved: the monitors broadcast A's commitment at cltv_expiry + 3", async () => {
    const s = await start();
    const { a } = s;
    const expiry = (await s.tipHeight()) + 10;
    const htlc = await s.addHtlc(a, 40_000_000n, expiry);

    // LATENCY_GRACE_PERIOD_BLOCKS (3) after the expiry, not before.
    await mineTo(s, expiry + 2);
    let events = await step(s);
    expect(await mempoolSpends(s, s.fundingTx)).toEqual([]);
    expect(events).toEqual([]);
    await s.mine(1);
    events = await step(s);
    const commitment = await holderCommitmentInMempool(s);
    expect(events).toMatchObject([
      {
        kind: 'holderForceClosedWithInfo',
        channelId: a.channel.channelId,
        fundingOutpoint: { txid: txid(s.fundingTx), vout: 0 },
        reason: `outbound HTLC ${htlc.htlcId} expired at height ${expiry}`,
      },
    ]);
    expect(FUNDING_SAT - commitment.outputs.reduce((sum, o) => sum + o.valueSat, 0n)).toBe(
      commitmentFeeSat(1),
    );
    const toLocalSat = A_OPENING_SAT - 40_000n - commitmentFeeSat(1);
    const toLocal = outputWorth(commitment, toLocalSat);
    const htlcOutput = outputWorth(commitment, 40_000n);

    // Confirmed: the HTLC-timeout (its expiry passed) follows at once.
    await s.mine(1);
    const commitmentHeight = await s.tipHeight();
    await step(s);
    const timeout = await mempoolSpend(s, commitment, htlcOutput);
    expect(timeout.locktime).toBe(expiry);
    expect(timeout.outputs[0]!.valueSat).toBe(40_000n - HTLC_TIMEOUT_FEE_SAT);
    await s.mine(1);
    const timeoutHeight = await s.tipHeight();

    // The failure once the HTLC-timeout is ANTI_REORG_DELAY deep, not at 5.
    await mineTo(s, timeoutHeight + ANTI_REORG_DELAY - 2);
    expect(kinds(await step(s))).toEqual(['holderForceClosedWithInfo', 'commitmentTxConfirmed']);
    await s.mine(1);
    expect((await step(s)).at(-1)).toMatchObject(htlcResolved(htlc, 40_000n, undefined));

    const delay = CONFIG.toSelfDelay;
    await mineTo(s, commitmentHeight + delay - 1);
    await step(s);
    const toLocalSweep = await mempoolSpend(s, commitment, toLocal);
    await mineTo(s, timeoutHeight + delay - 1);
    await step(s);
    const timeoutSweep = await mempoolSpend(s, timeout, 0);
    await s.mine(1);
    const lastSweepHeight = await s.tipHeight();
    // The to_local sweep (mined a block earlier) 6 deep, the HTLC output's sweep 5 deep.
    await mineTo(s, lastSweepHeight + ANTI_REORG_DELAY - 2);
    events = await step(s);
    expect(kinds(events)).toEqual([
      'holderForceClosedWithInfo',
      'commitmentTxConfirmed',
      'htlcResolved',
      'claimConfirmed',
      'spendableOutputs',
    ]);
    await s.mine(1);
    events = await step(s);

    const sweeps = [toLocalSweep, timeoutSweep];
    const fees = await Promise.all(sweeps.map((tx) => claimFee(s, tx)));
    const owed = [toLocalSat, 40_000n - HTLC_TIMEOUT_FEE_SAT];
    sweeps.forEach((tx, i) => expect(tx.outputs[0]!.valueSat).toBe(owed[i]! - fees[i]!));
    expect(await s.destinationBalance()).toBe(owed[0]! + owed[1]! - fees[0]! - fees[1]!);

    expect(kinds(events)).toEqual([
      'holderForceClosedWithInfo',
      'commitmentTxConfirmed',
      'htlcResolved',
      'claimConfirmed',
      'spendableOutputs',
      'claimConfirmed',
      'spendableOutputs',
    ]);
    expect(events[1]).toMatchObject({ txid: txid(commitment) });
    expect(events[2]).toMatchObject(htlcResolved(htlc, 40_000n, undefined));
    expect(events[3]).toMatchObject({ txid: txid(toLocalSweep) });
    expect(events[5]).toMatchObject({ txid: txid(timeoutSweep) });
  }, 60_000);
});
