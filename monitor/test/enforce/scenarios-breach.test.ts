/**
 * Issue 6's breach scenarios, end to end (test/src/scenario/enforcement-harness.ts): real channel
 * states made by the channel state machine, A's monitors fed over their real protocol and
 * following vigil-regtest, B (the cheater) broadcasting a commitment it revoked. Each scenario
 * asserts what reached A's destination script, to the satoshi: the value of every output A was
 * owed less the fee of each claim transaction (read from the transaction and checked against the
 * feerate its monitor stored), and the events the manager handled (monitor outbox -> gRPC ->
 * EventInbox).
 *
 * The monitors poll the chain only when a test says so (`pollMonitors`, or one monitor's
 * `pollChain`), so every claim and fee bump happens at a block the test chose.
 */
import { type Transaction, txid, txidHex, txWeight } from '@vigil/shared/bitcoin/tx';
import { reverseBytes, toHex } from '@vigil/shared/bytes';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { EventInbox } from '@vigil/manager/watch/event-inbox';
import { MonitorSession } from '@vigil/manager/watch/monitor-session';
import { ONION, payment } from '@vigil/test/fixtures/channel-pair';
import { type CounterpartySnapshot, EnforcementScenario } from '@vigil/test/scenario/enforcement-harness';
import type { ScenarioMonitor } from '@vigil/test/scenario/scenario-monitor';
import { fetchTx, mine } from '@vigil/test/support/regtest/regtest-fixture';
import { testKey, txHex } from '@vigil/test/support/regtest/test-wallet';
import { eventually } from '@vigil/test/support/wait';
import { describe, expect, it } from 'vitest';

/** The monitors' own chain loop polls once at start, then every hour: the test polls. */
const TEST_POLLS = { pollIntervalMs: 3_600_000 } as const;
/** claim-tx.ts: a claim's fee is for its weight with every signature counted at 73 bytes. */
const MAX_WITNESS_SIGNATURE_BYTES = 73;
/** The manager's node key in enforcement-harness.ts (its NODE_SECRET), for a session of our own. */
const MANAGER_NODE_SECRET = new Uint8Array(32).fill(0x5c);
/** Where `generateblock` pays its coinbase. */
const MINER = testKey('breach scenarios miner').address;

const displayId = (internal: Uint8Array) => toHex(reverseBytes(internal));
const sumOutputs = (tx: Transaction) => tx.outputs.reduce((sum, o) => sum + o.valueSat, 0n);

/** A claim transaction with the value of what it spent and the fee it paid. */
interface Claim {
  readonly tx: Transaction;
  /** Display txid. */
  readonly id: string;
  readonly inputSat: bigint;
  readonly outputSat: bigint;
  readonly feeSat: bigint;
}

async function claimOf(s: EnforcementScenario, id: string): Promise<Claim> {
  const tx = await fetchTx(s.node.rpc, id);
  let inputSat = 0n;
  for (const input of tx.inputs) {
    const parent = await fetchTx(s.node.rpc, displayId(input.prevout.txid));
    inputSat += parent.outputs[input.prevout.vout]!.valueSat;
  }
  const outputSat = sumOutputs(tx);
  return { tx, id, inputSat, outputSat, feeSat: inputSat - outputSat };
}

/** The mempool's transactions spending an output of one of `parents`. */
async function mempoolSpends(s: EnforcementScenario, ...parents: Transaction[]): Promise<Transaction[]> {
  const ids = new Set(parents.map((p) => toHex(txid(p))));
  const spends: Transaction[] = [];
  for (const id of await s.node.rpc.call<string[]>('getrawmempool')) {
    const tx = await fetchTx(s.node.rpc, id);
    if (tx.inputs.some((i) => ids.has(toHex(i.prevout.txid)))) spends.push(tx);
  }
  return spends;
}

/** One row of a monitor's `enforcement_claims`: how it last broadcast a claim. */
interface ClaimRow {
  /** Display txid of the transaction last broadcast. */
  readonly txid: string;
  readonly feeratePerKw: number;
  readonly refusedForFee: boolean;
}

async function claimRows(monitor: ScenarioMonitor): Promise<ClaimRow[]> {
  const rows = await monitor.database.sql<
    { txid: Uint8Array; feerate_per_kw: number; refused_for_fee: boolean }[]
  >`
    SELECT txid, feerate_per_kw, refused_for_fee FROM enforcement_claims ORDER BY claim_key`;
  return rows.map((r) => ({
    txid: displayId(new Uint8Array(r.txid)),
    feeratePerKw: r.feerate_per_kw,
    refusedForFee: r.refused_for_fee,
  }));
}

/**
 * Checks every claim's fee against the feerate `monitor` stored for it: the fee of the weight
 * bound claim-tx.ts prices (the signed weight plus what each signature lacks of 73 bytes),
 * rounded up. Returns the feerates, in the order of `claims`.
 */
async function expectFeesAsStored(monitor: ScenarioMonitor, claims: readonly Claim[]): Promise<number[]> {
  const rows = await claimRows(monitor);
  return claims.map((claim) => {
    const row = rows.find((r) => r.txid === claim.id);
    expect(row, `${monitor.id} stored claim ${claim.id}`).toBeDefined();
    const bound =
      txWeight(claim.tx) +
      claim.tx.inputs.reduce((w, i) => w + MAX_WITNESS_SIGNATURE_BYTES - i.witness[0]!.length, 0);
    expect(claim.feeSat).toBe((BigInt(bound) * BigInt(row!.feeratePerKw) + 999n) / 1000n);
    return row!.feeratePerKw;
  });
}

/** An event as one comparable line. */
function describeEvent(e: MonitorEvent): string {
  switch (e.kind) {
    case 'commitmentTxConfirmed':
    case 'claimConfirmed':
      return `${e.kind} ${displayId(e.txid)}`;
    case 'spendableOutputs':
      return `${e.kind} ${e.outputs
        .map(
          (o) => `${displayId(o.outpoint.txid)}:${o.outpoint.vout} ${o.valueSat} to ${toHex(o.scriptPubKey)}`,
        )
        .join(', ')}`;
    case 'htlcResolved':
      return `${e.kind} htlc ${e.htlcId} ${e.valueSat} sat ${e.preimage === undefined ? 'failed' : `preimage ${toHex(e.preimage)}`}`;
    case 'holderForceClosedWithInfo':
      return `${e.kind} ${e.reason}`;
  }
}

/** The events of a confirmed breach swept by `claims`, once all are ANTI_REORG_DELAY deep. */
function sweepEvents(s: EnforcementScenario, breach: Transaction, claims: readonly Claim[]): string[] {
  const destination = toHex(s.a.deps.destinationScript);
  return [
    `commitmentTxConfirmed ${txidHex(breach)}`,
    ...claims.flatMap((c) => [
      `claimConfirmed ${c.id}`,
      `spendableOutputs ${c.id}:0 ${c.outputSat} to ${destination}`,
    ]),
  ];
}

/**
 * Has every monitor in `polled` process the tip, then waits until each has no event left in its
 * outbox (the manager acknowledges an event only once its EventInbox handled it).
 */
async function deliverEvents(polled: readonly ScenarioMonitor[]): Promise<void> {
  await Promise.all(polled.map((m) => m.running.pollChain()));
  await eventually(async () => {
    for (const m of polled) {
      const [row] = await m.database.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM event_outbox`;
      if (row!.n > 0) return false;
    }
    return true;
  }, 'the manager to acknowledge every event');
}

/** Mines `count` blocks and has every monitor process them. */
async function mineAndPoll(s: EnforcementScenario, count = 1): Promise<void> {
  await s.mine(count);
  await s.pollMonitors();
}

/** Opens a scenario, runs `body`, closes it whatever happens. */
async function withScenario(
  options: Parameters<typeof EnforcementScenario.start>[0],
  body: (s: EnforcementScenario) => Promise<void>,
): Promise<void> {
  const s = await EnforcementScenario.start({ ...TEST_POLLS, ...options });
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

/** The values of `tx`'s outputs, smallest first. */
function outputValues(tx: Transaction): bigint[] {
  return tx.outputs.map((o) => o.valueSat).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/**
 * A pays B 5,000 sat, B's commitment is kept, then B pays A 2,000 sat, which revokes it: the
 * counterparty's signed commitment to broadcast as a breach (worth more to B than its latest).
 */
async function revokedSnapshot(s: EnforcementScenario): Promise<CounterpartySnapshot> {
  await s.pay(s.a, 5_000_000n);
  const snapshot = s.snapshotCounterpartyCommitment();
  await s.pay(s.b, 2_000_000n);
  return snapshot;
}

describe('breach scenarios (issue 6)', () => {
  it('1. a revoked commitment without HTLCs: to_local and to_remote taken in one justice transaction', async () => {
    await withScenario({}, async (s) => {
      const { b } = s;
      const snapshot = await revokedSnapshot(s);
      expect(b.channel.commitments!.localCommit.index).toBeGreaterThan(snapshot.commitmentNumber);

      // B's revoked commitment: to_local is B's 400,000 + 5,000 sat, to_remote A's rest less the
      // commitment fee A (the opener) pays: 724 weight at 1,000 sat/kw (BOLT 3).
      const breach = snapshot.commitment;
      expect(outputValues(breach)).toEqual([405_000n, 1_000_000n - 405_000n - 724n]);
      const owedSat = sumOutputs(breach);
      expect(owedSat).toBe(999_276n);

      await s.broadcast(breach);
      await mineAndPoll(s);
      const [justiceTx, ...others] = await mempoolSpends(s, breach);
      expect(others).toEqual([]);
      const justice = await claimOf(s, txidHex(justiceTx!));
      expect(justice.tx.inputs.map((i) => `${displayId(i.prevout.txid)}:${i.prevout.vout}`).sort()).toEqual([
        `${txidHex(breach)}:0`,
        `${txidHex(breach)}:1`,
      ]);
      expect(justice.inputSat).toBe(owedSat);
      const [feerate] = await expectFeesAsStored(s.monitors[0]!, [justice]);

      await mineAndPoll(s);
      expect(await s.confirmations(justice.tx)).toBe(1);
      expect(await s.destinationBalance()).toBe(owedSat - justice.feeSat);
      // ANTI_REORG_DELAY: the breach 6 deep, then the justice.
      await mineAndPoll(s, 4);
      await mineAndPoll(s, 1);
      await deliverEvents(s.monitors);
      expect(s.events.map(describeEvent).sort()).toEqual(sweepEvents(s, breach, [justice]).sort());
      console.log(
        `scenario 1: owed ${owedSat} sat, justice ${justice.id} fee ${justice.feeSat} sat at ${feerate} sat/kw, received ${owedSat - justice.feeSat} sat`,
      );
    });
  }, 60_000);

  it('2. a revoked commitment with offered and received HTLCs: one justice for to_local+to_remote, one per HTLC output', async () => {
    await withScenario({}, async (s) => {
      const { a, b } = s;
      await s.pay(a, 5_000_000n);
      // Pending both ways at the snapshot: A offers 50,000 sat, B offers 30,000 sat.
      const offeredByA = await s.addHtlc(a, 50_000_000n, 800_000);
      const offeredByB = await s.addHtlc(b, 30_000_000n, 800_010);
      const snapshot = s.snapshotCounterpartyCommitment();
      // A offers 20,000 sat more: the snapshot is revoked, and this HTLC is on no commitment that
      // can still confirm.
      const afterSnapshot = await s.addHtlc(a, 20_000_000n, 800_000);
      expect(b.channel.commitments!.localCommit.index).toBeGreaterThan(snapshot.commitmentNumber);

      const breach = snapshot.commitment;
      // to_local (B: 405,000 - 30,000), both HTLCs, to_remote (A: the rest less the fee of a
      // commitment with two HTLC outputs: (724 + 2 * 172) weight at 1,000 sat/kw).
      const commitmentFee = 724n + 2n * 172n;
      expect(outputValues(breach)).toEqual(
        [30_000n, 50_000n, 375_000n, 1_000_000n - 405_000n - 50_000n - commitmentFee].sort((x, y) =>
          x < y ? -1 : 1,
        ),
      );
      const owedSat = sumOutputs(breach);
      expect(owedSat).toBe(1_000_000n - commitmentFee);

      await s.broadcast(breach);
      await mineAndPoll(s);
      const claims = await Promise.all((await mempoolSpends(s, breach)).map((tx) => claimOf(s, txidHex(tx))));
      // One transaction per HTLC output (pinning), to_local and to_remote together.
      expect(claims.map((c) => c.inputSat).sort((x, y) => (x < y ? -1 : 1))).toEqual([
        30_000n,
        50_000n,
        owedSat - 80_000n,
      ]);
      expect(claims.map((c) => c.tx.inputs.length).sort()).toEqual([1, 1, 2]);
      const feerates = await expectFeesAsStored(s.monitors[0]!, claims);

      await mineAndPoll(s);
      for (const claim of claims) expect(await s.confirmations(claim.tx)).toBe(1);
      const feesSat = claims.reduce((sum, c) => sum + c.feeSat, 0n);
      expect(await s.destinationBalance()).toBe(owedSat - feesSat);
      await mineAndPoll(s, 5);
      await deliverEvents(s.monitors);
      // A's HTLCs are failed once ANTI_REORG_DELAY deep: the one whose output A's justice took
      // back, and the one on no confirmed commitment (LDK's fail_unbroadcast_htlcs). B's HTLC is
      // B's to resolve.
      expect(s.events.map(describeEvent).sort()).toEqual(
        [
          ...sweepEvents(s, breach, claims),
          `htlcResolved htlc ${offeredByA.htlcId} 50000 sat failed`,
          `htlcResolved htlc ${afterSnapshot.htlcId} 20000 sat failed`,
        ].sort(),
      );
      console.log(
        `scenario 2: owed ${owedSat} sat, claims ${claims
          .map((c, i) => `${c.inputSat} sat - ${c.feeSat} fee at ${feerates[i]} sat/kw`)
          .join(
            '; ',
          )}, received ${owedSat - feesSat} sat (HTLCs ${offeredByA.htlcId} by A, ${offeredByB.htlcId} by B)`,
      );
    });
  }, 60_000);

  it("3. a revoked commitment and the cheater's HTLC-timeout and HTLC-success transactions: their outputs punished", async () => {
    await withScenario({}, async (s) => {
      const { a, b } = s;
      await s.pay(a, 5_000_000n);
      // B offers 30,000 sat expiring two blocks from now; A offers 50,000 sat, whose preimage B
      // (its recipient) holds.
      const expiry = (await s.tipHeight()) + 2;
      const offeredByB = await s.addHtlc(b, 30_000_000n, expiry);
      const offeredByA = await s.addHtlc(a, 50_000_000n, 800_000);
      const snapshot = s.snapshotCounterpartyCommitment();
      await s.pay(b, 1_000_000n);
      expect(b.channel.commitments!.localCommit.index).toBeGreaterThan(snapshot.commitmentNumber);
      const breach = snapshot.commitment;
      const timeout = snapshot.htlcTxs.find((h) => h.htlc.offered)!;
      const success = snapshot.htlcTxs.find((h) => !h.htlc.offered)!;
      expect(timeout.locktime).toBe(expiry);
      // B's second-stage transactions pay the commitment feerate (1,000 sat/kw, BOLT 3): 663
      // weight for HTLC-timeout, 703 for HTLC-success.
      expect(timeout.tx.outputs[0]!.valueSat).toBe(30_000n - 663n);
      expect(success.tx.outputs[0]!.valueSat).toBe(50_000n - 703n);

      // The HTLC-timeout is valid once the tip reaches its locktime; B mines it with the breach
      // and the HTLC-success in one block, before A's monitors could claim the HTLC outputs.
      await s.mine(expiry - (await s.tipHeight()));
      await s.node.rpc.call('generateblock', MINER, [txHex(breach), txHex(timeout.tx), txHex(success.tx)]);
      expect(await s.confirmations(timeout.tx)).toBe(1);
      await s.pollMonitors();

      const claims = await Promise.all(
        (await mempoolSpends(s, breach, timeout.tx, success.tx)).map((tx) => claimOf(s, txidHex(tx))),
      );
      const spending = (parent: Transaction) =>
        claims.filter((c) => c.tx.inputs.some((i) => toHex(i.prevout.txid) === toHex(txid(parent))));
      // to_local and to_remote together; each second-stage output by revocation on its own.
      const toLocalAndRemote = breach.outputs
        .filter((o) => o.valueSat !== 30_000n && o.valueSat !== 50_000n)
        .reduce((sum, o) => sum + o.valueSat, 0n);
      expect(spending(breach).map((c) => [c.tx.inputs.length, c.inputSat])).toEqual([[2, toLocalAndRemote]]);
      expect(spending(timeout.tx).map((c) => c.inputSat)).toEqual([29_337n]);
      expect(spending(success.tx).map((c) => c.inputSat)).toEqual([49_297n]);
      expect(claims).toHaveLength(3);
      const feerates = await expectFeesAsStored(s.monitors[0]!, claims);

      await mineAndPoll(s);
      const owedSat = toLocalAndRemote + 29_337n + 49_297n;
      const feesSat = claims.reduce((sum, c) => sum + c.feeSat, 0n);
      expect(await s.destinationBalance()).toBe(owedSat - feesSat);
      await mineAndPoll(s, 5);
      await deliverEvents(s.monitors);
      // The HTLC-success revealed the preimage of A's HTLC: reported at once, as paid.
      expect(s.events.map(describeEvent).sort()).toEqual(
        [
          ...sweepEvents(s, breach, claims),
          `htlcResolved htlc ${offeredByA.htlcId} 50000 sat preimage ${toHex(offeredByA.preimage)}`,
        ].sort(),
      );
      console.log(
        `scenario 3: owed ${owedSat} sat (to_local+to_remote ${toLocalAndRemote}, HTLC-timeout output 29337, HTLC-success output 49297), fees ${claims
          .map((c, i) => `${c.feeSat} at ${feerates[i]} sat/kw`)
          .join(', ')}, received ${owedSat - feesSat} sat (B's HTLC ${offeredByB.htlcId} expiry ${expiry})`,
      );
    });
  }, 60_000);

  it('8. a 3-block reorg removes the breach and the justice; a different chain mines the breach: claimed again', async () => {
    await withScenario({}, async (s) => {
      const snapshot = await revokedSnapshot(s);
      const breach = snapshot.commitment;
      const owedSat = sumOutputs(breach);
      const { rpc } = s.node;

      await s.broadcast(breach);
      const [breachBlock] = await mine(rpc, 1);
      await s.pollMonitors();
      const [justiceTx] = await mempoolSpends(s, breach);
      const justice = await claimOf(s, txidHex(justiceTx!));
      await mineAndPoll(s, 2);
      expect(await s.confirmations(breach)).toBe(3);
      expect(await s.confirmations(justice.tx)).toBe(2);
      expect(await s.destinationBalance()).toBe(owedSat - justice.feeSat);

      // The three blocks are disconnected (breach and justice back in the mempool, then evicted
      // by a passing fee spike so only a monitor can bring the justice back); a longer chain
      // without them replaces them.
      await rpc.call('invalidateblock', breachBlock);
      try {
        await rpc.call('setmempoolminfee', 0.01);
        expect(await mempoolSpends(s, breach)).toEqual([]);
      } finally {
        await rpc.call('setmempoolminfee', 0);
      }
      for (let i = 0; i < 4; i++) await rpc.call('generateblock', MINER, []);
      await s.pollMonitors();
      expect(await s.confirmations(breach)).toBe(0);
      expect(await s.destinationBalance()).toBe(0n);
      for (const m of s.monitors) {
        expect(await m.database.sql`SELECT 1 FROM enforcement_spends`, `${m.id}'s spends`).toHaveLength(0);
      }

      // The breach in a block of the new chain: the same justice (same fee state, same txid) is
      // owed and broadcast again.
      await rpc.call('generateblock', MINER, [txHex(breach)]);
      await s.pollMonitors();
      expect((await mempoolSpends(s, breach)).map(txidHex)).toEqual([justice.id]);
      await mineAndPoll(s);
      expect(await s.confirmations(justice.tx)).toBe(1);
      expect(await s.destinationBalance()).toBe(owedSat - justice.feeSat);
      await mineAndPoll(s, 5);
      await deliverEvents(s.monitors);
      // Nothing was due before the reorg (3 < ANTI_REORG_DELAY): each event once, on the new chain.
      expect(s.events.map(describeEvent).sort()).toEqual(sweepEvents(s, breach, [justice]).sort());
      console.log(
        `scenario 8: owed ${owedSat} sat, justice ${justice.id} fee ${justice.feeSat} sat (before and after the reorg), received ${owedSat - justice.feeSat} sat`,
      );
    });
  }, 60_000);

  it('9. a justice transaction below the mempool minimum fee is bumped until it confirms', async () => {
    await withScenario({}, async (s) => {
      const snapshot = await revokedSnapshot(s);
      const breach = snapshot.commitment;
      const owedSat = sumOutputs(breach);
      const { rpc } = s.node;

      await s.broadcast(breach);
      await mineAndPoll(s);
      const [firstTx] = await mempoolSpends(s, breach);
      const first = await claimOf(s, txidHex(firstTx!));
      const [initial] = await expectFeesAsStored(s.monitors[0]!, [first]);

      // The mempool fills up: its minimum rises to 50 sat/vB (12,500 sat/kw), the justice is evicted.
      await rpc.call('setmempoolminfee', 0.0005);
      try {
        expect(await mempoolSpends(s, breach)).toEqual([]);
        // Next block: rebroadcast at the same feerate, refused for its fee.
        await mineAndPoll(s);
        expect(await mempoolSpends(s, breach)).toEqual([]);
        for (const m of s.monitors) {
          expect(await claimRows(m)).toEqual([
            { txid: first.id, feeratePerKw: initial, refusedForFee: true },
          ]);
        }
        // The block after: bumped (the new estimate, at least the mempool's minimum, or +25%).
        await mineAndPoll(s);
        const [bumpedTx] = await mempoolSpends(s, breach);
        expect(bumpedTx).toBeDefined();
        const bumped = await claimOf(s, txidHex(bumpedTx!));
        expect(bumped.id).not.toBe(first.id);
        const [bumpedRate] = await expectFeesAsStored(s.monitors[0]!, [bumped]);
        expect(bumpedRate).toBeGreaterThanOrEqual(Math.max(12_500, Math.ceil(initial! * 1.25)));
        // Both monitors bumped alike.
        expect(await claimRows(s.monitors[1]!)).toEqual(await claimRows(s.monitors[0]!));

        await mineAndPoll(s);
        expect(await s.confirmations(bumped.tx)).toBe(1);
        expect(await s.confirmations(first.tx)).toBe(0);
        expect(bumped.feeSat * 2n).toBeLessThan(owedSat);
        expect(await s.destinationBalance()).toBe(owedSat - bumped.feeSat);
        await mineAndPoll(s, 5);
        await deliverEvents(s.monitors);
        expect(s.events.map(describeEvent).sort()).toEqual(sweepEvents(s, breach, [bumped]).sort());
        console.log(
          `scenario 9: owed ${owedSat} sat, first justice fee ${first.feeSat} sat at ${initial} sat/kw (evicted), bumped ${bumped.id} fee ${bumped.feeSat} sat at ${bumpedRate} sat/kw, received ${owedSat - bumped.feeSat} sat`,
        );
      } finally {
        await rpc.call('setmempoolminfee', 0);
      }
    });
  }, 60_000);

  it('10. two monitors with the same state broadcast the same justice txid', async () => {
    await withScenario({ monitors: 2 }, async (s) => {
      const [m1, m2] = s.monitors as [ScenarioMonitor, ScenarioMonitor];
      const snapshot = await revokedSnapshot(s);
      const breach = snapshot.commitment;
      const owedSat = sumOutputs(breach);

      await s.broadcast(breach);
      await s.mine(1);
      // Each monitor on its own: m1 builds and broadcasts the justice, then m2 builds the same.
      await m1.running.pollChain();
      const fromM1 = await mempoolSpends(s, breach);
      expect(fromM1).toHaveLength(1);
      const justice = await claimOf(s, txidHex(fromM1[0]!));
      await m2.running.pollChain();
      expect((await mempoolSpends(s, breach)).map(txidHex)).toEqual([justice.id]);
      const [feerate] = await expectFeesAsStored(m1, [justice]);
      await expectFeesAsStored(m2, [justice]);
      expect(await claimRows(m2)).toEqual(await claimRows(m1));
      expect(await claimRows(m1)).toEqual([
        { txid: justice.id, feeratePerKw: feerate, refusedForFee: false },
      ]);
      // What each logged broadcasting: the same txid (the node accepts a transaction it already
      // holds, as bitcoind's sendrawtransaction does).
      const claimLogs = (m: ScenarioMonitor) =>
        m.logs
          .map((l) => JSON.parse(l) as { msg: string; txid?: string })
          .filter((l) => l.msg.startsWith('claim '))
          .map((l) => `${l.msg} ${l.txid}`);
      expect(claimLogs(m1)).toEqual([`claim broadcast ${justice.id}`]);
      expect(claimLogs(m2)).toEqual([`claim broadcast ${justice.id}`]);

      await mineAndPoll(s);
      expect(await s.confirmations(justice.tx)).toBe(1);
      for (const vout of [0, 1]) expect(await s.node.rpc.call('gettxout', txidHex(breach), vout)).toBeNull();
      expect(await s.destinationBalance()).toBe(owedSat - justice.feeSat);
      await mineAndPoll(s, 5);
      await deliverEvents(s.monitors);
      // Both monitors reported every event; the manager handled each once.
      for (const m of s.monitors) {
        expect(await m.database.sql`SELECT 1 FROM enforcement_events`, `${m.id}'s events`).toHaveLength(3);
      }
      expect(s.events.map(describeEvent).sort()).toEqual(sweepEvents(s, breach, [justice]).sort());
      console.log(
        `scenario 10: both monitors built justice ${justice.id} (fee ${justice.feeSat} sat at ${feerate} sat/kw), received ${owedSat - justice.feeSat} of ${owedSat} sat`,
      );
    });
  }, 60_000);

  it('11. a stale monitor (one update behind) claims alone, and answers later updates REJECTED_AFTER_LOCKDOWN', async () => {
    await withScenario({ monitors: 2, quorum: 1 }, async (s) => {
      const { a, b } = s;
      const [fresh, stale] = s.monitors as [ScenarioMonitor, ScenarioMonitor];
      const [freshSession, staleSession] = s.manager.sessions as [MonitorSession, MonitorSession];
      await s.pay(a, 5_000_000n);
      const snapshot = s.snapshotCounterpartyCommitment();
      // B revokes the snapshot; both monitors hold the secret.
      await s.pay(b, 2_000_000n);
      const both = a.watch.updates.at(-1)!.updateId;
      // Quorum 1: A went on once one monitor had each update; both have them all now.
      for (const session of [freshSession, staleSession]) {
        await eventually(() => session.health().channels[0]?.position === both, 'both monitors at `both`');
        expect(session.health().channels).toMatchObject([{ position: both, state: 'ok' }]);
      }

      // m2's session ends; A's next update (an HTLC offered, B's next commitment) is durable on
      // m1 alone: quorum 1 of 2.
      await staleSession.close();
      const { paymentHash } = payment(1000);
      const htlcId = a.channel.commitments!.localNextHtlcId;
      a.take(
        a.channel.addHtlc({
          amountMsat: 20_000_000n,
          paymentHash,
          cltvExpiry: 800_000,
          onionRoutingPacket: ONION,
          ref: '1000',
        }),
      );
      a.take(a.channel.commit());
      const latest = a.watch.updates.at(-1)!.updateId;
      expect(latest).toBe(both + 1);
      // RemoteWatch reports it durable with m1's ack alone.
      await s.manager.durable.next();
      expect(s.manager.durable.take()).toEqual([latest]);
      expect(freshSession.health().channels).toMatchObject([{ position: latest, state: 'ok' }]);
      expect(staleSession.health()).toMatchObject({
        connected: false,
        channels: [{ position: both, lag: 1 }],
      });
      const staleRow = async () =>
        (
          await stale.database.sql<{ latest_update_id: bigint; funding_spend_seen: boolean }[]>`
            SELECT latest_update_id, funding_spend_seen FROM channel_monitors`
        )[0]!;
      expect(await staleRow()).toEqual({ latest_update_id: BigInt(both), funding_spend_seen: false });

      // m1 stops: the stale monitor is the only one left when B breaches.
      await fresh.running.shutdown();
      const breach = snapshot.commitment;
      const owedSat = sumOutputs(breach);
      await s.broadcast(breach);
      await s.mine(1);
      await stale.running.pollChain();
      const [justiceTx, ...others] = await mempoolSpends(s, breach);
      expect(others).toEqual([]);
      const justice = await claimOf(s, txidHex(justiceTx!));
      expect(justice.inputSat).toBe(owedSat);
      const [feerate] = await expectFeesAsStored(stale, [justice]);
      expect(await staleRow()).toEqual({ latest_update_id: BigInt(both), funding_spend_seen: true });

      // The manager reconnects to m2: its Welcome says locked down; the update it missed is
      // stored but answered REJECTED_AFTER_LOCKDOWN, and so is every newer one, which therefore
      // never becomes durable.
      const events: MonitorEvent[] = [];
      const reconnected = MonitorSession.start({
        id: stale.id,
        address: stale.address,
        monitorId: stale.running.monitorId,
        nodeSecret: MANAGER_NODE_SECRET,
        watch: s.manager.watch,
        events: new EventInbox(s.manager.database.sql, async (event) => {
          events.push(event);
        }),
        backoff: { initialMs: 20, maxMs: 200 },
      });
      try {
        await eventually(
          () => reconnected.health().channels[0]?.position === latest,
          'the missed update to be answered',
        );
        const lockdown = 'lockdown: the funding output was seen spent on-chain';
        expect(reconnected.health()).toMatchObject({
          connected: true,
          channels: [{ position: latest, state: 'lockedDown', detail: lockdown }],
        });
        // A carries on (its commitment_signed, B's revoke_and_ack and commitment_signed): new
        // updates, each stored by m2 and rejected.
        a.complete(latest);
        s.pair.deliverAll();
        const newest = a.watch.updates.at(-1)!.updateId;
        expect(newest).toBeGreaterThan(latest);
        await eventually(
          () => reconnected.health().channels[0]?.position === newest,
          'the newest update to be answered',
        );
        expect(reconnected.health().channels).toMatchObject([
          { position: newest, state: 'lockedDown', detail: lockdown },
        ]);
        const statuses = await stale.database.sql<{ update_id: bigint; status: number }[]>`
          SELECT update_id, status FROM channel_update_log WHERE update_id > ${both} ORDER BY update_id`;
        // vigil.monitor.v1.UpdateStatus 2: REJECTED_AFTER_LOCKDOWN.
        expect(statuses.map((r) => [Number(r.update_id), r.status])).toEqual(
          Array.from({ length: newest - both }, (_, i) => [both + 1 + i, 2]),
        );
        expect(a.watch.inProgress).toEqual(Array.from({ length: newest - latest }, (_, i) => latest + 1 + i));
        expect(await staleRow()).toEqual({ latest_update_id: BigInt(newest), funding_spend_seen: true });

        await s.mine(1);
        await stale.running.pollChain();
        expect(await s.confirmations(justice.tx)).toBe(1);
        expect(await s.destinationBalance()).toBe(owedSat - justice.feeSat);
        await s.mine(5);
        await deliverEvents([stale]);
        // The HTLC A offered after the snapshot is on no commitment that can confirm now: failed
        // once the breach is ANTI_REORG_DELAY deep (the stale monitor stored it after lockdown).
        expect(events.map(describeEvent).sort()).toEqual(
          [...sweepEvents(s, breach, [justice]), `htlcResolved htlc ${htlcId} 20000 sat failed`].sort(),
        );
        // m1 was down: the harness's own sessions handled nothing.
        expect(s.events).toEqual([]);
      } finally {
        await reconnected.close();
      }
      console.log(
        `scenario 11: stale m2 (at update ${both}, latest ${latest}) alone built justice ${justice.id}, fee ${justice.feeSat} sat at ${feerate} sat/kw, received ${owedSat - justice.feeSat} of ${owedSat} sat`,
      );
    });
  }, 60_000);

  // Regression: our previous holder commitment (revoked by us) still holds an HTLC the
  // counterparty fulfilled off-chain since; the breach of an older commitment must not report it
  // failed (a forwarding node would fail it upstream after paying downstream). Only our current
  // commitment and the counterparty's unrevoked ones count (LDK's fail_unbroadcast_htlcs).
  it('an HTLC A paid off-chain before the breach is not reported failed', async () => {
    await withScenario({}, async (s) => {
      const { a, b } = s;
      await s.pay(b, 2_000_000n);
      const snapshot = s.snapshotCounterpartyCommitment();
      // A pays 3,000 sat: added, committed, fulfilled by B, removed from both latest commitments.
      await s.pay(a, 3_000_000n);
      expect(b.channel.commitments!.localCommit.index).toBeGreaterThan(snapshot.commitmentNumber);
      const breach = snapshot.commitment;
      await s.broadcast(breach);
      await mineAndPoll(s);
      const [justiceTx] = await mempoolSpends(s, breach);
      const justice = await claimOf(s, txidHex(justiceTx!));
      await mineAndPoll(s, 6);
      await deliverEvents(s.monitors);
      expect(await s.destinationBalance()).toBe(sumOutputs(breach) - justice.feeSat);
      // Only the breach and its justice: no `htlcResolved` for the HTLC paid off-chain.
      expect(s.events.map(describeEvent).sort()).toEqual(sweepEvents(s, breach, [justice]).sort());
    });
  }, 60_000);
});
