/**
 * The Enforcer against the embedded regtest node, with a monitor fed over its real protocol (an
 * in-process vigil-monitor, the fixture's channel with real signatures) and followed by a real
 * BlockFollower over JSON-RPC: the counterparty broadcasts a commitment it revoked, and the
 * monitor takes every output with one justice transaction, reports the events once they are
 * ANTI_REORG_DELAY deep, survives a reorg of the breach, and bumps a claim the mempool refuses.
 */
import { decodeTx, type Transaction, txid, txidHex, txWeight } from '@vigil/shared/bitcoin/tx';
import { equalBytes, toHex } from '@vigil/shared/bytes';
import { BitcoindChainSource } from '@vigil/shared/chain/bitcoind-source';
import { BlockFollower } from '@vigil/shared/chain/block-follower';
import { createLogger } from '@vigil/shared/log/logger';
import { fundingOutput } from '@vigil/shared/ln/funding';
import type { MonitorHtlc } from '@vigil/shared/monitor-model/channel-monitor';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import { decodeMonitorEvent } from '@vigil/shared/monitor-model/proto-codec';
import { ChannelFixture, payment } from '@vigil/test/fixtures/channel-fixture';
import {
  fetchTx,
  fundConfirmed,
  height,
  mine,
  startTestNode,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import { signSpend, testKey, txHex } from '@vigil/test/support/regtest/test-wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Enforcer } from '../../src/enforce/enforcer.js';
import { ChannelBook } from '../../src/service/channel-book.js';
import { type Harness, nodeIdOf, startHarness } from '../support/harness.js';
import { connect, send, updateFrame, watchInitFrame } from '../support/session-client.js';

const FUNDING_SAT = 1_000_000n;
const balances = { toHolderMsat: 600_000_000n, toCounterpartyMsat: 400_000_000n };
const funder = testKey('enforcer funder');
/** One tenant per test, so one test's events never reach another's session. */
const tenantKeys = [0x51, 0x52, 0x53, 0x54].map((b) => new Uint8Array(32).fill(b));

let node: TestNode;
let harness: Harness;

beforeAll(async () => {
  node = await startTestNode();
  harness = await startHarness({ allowlist: tenantKeys.map(nodeIdOf) });
});

afterAll(async () => {
  await harness.close();
  await node.regtest.stop();
});

/**
 * A channel funded on the node's chain, its monitor fed updates 0..3 (commitment 0 revoked) by
 * tenant `tenantKeys[channelByte & 0x0f]`; with `htlc`, commitments 1 carry it (offered by us).
 */
async function watchedChannel(channelByte: number, htlc?: MonitorHtlc): Promise<ChannelFixture> {
  const { holderPubkeys, counterpartyPubkeys } = new ChannelFixture().parameters;
  const coin = await fundConfirmed(node.rpc, funder, FUNDING_SAT + 5_000n);
  const fundingTx = signSpend(
    [coin],
    [fundingOutput(holderPubkeys.fundingPubkey, counterpartyPubkeys.fundingPubkey, FUNDING_SAT)],
  );
  await node.rpc.call('sendrawtransaction', txHex(fundingTx));
  await mine(node.rpc, 1);
  const fixture = new ChannelFixture({
    fundingOutpoint: { txid: txid(fundingTx), vout: 0 },
    fundingValueSat: FUNDING_SAT,
  });
  const channelId = new Uint8Array(32).fill(channelByte);
  const { session } = await connect(
    harness.address,
    tenantKeys[channelByte & 0x0f]!,
    harness.monitor.monitorId,
  );
  await send(session, watchInitFrame({ ...fixture.init(balances), channelId }));
  for (const update of firstRound(fixture, htlc)) await send(session, updateFrame({ ...update, channelId }));
  session.dispose();
  return fixture;
}

/** The fixture's first round; with `htlc`, both commitments 1 carry it, as each side sees it. */
function firstRound(fixture: ChannelFixture, htlc: MonitorHtlc | undefined): ChannelMonitorUpdate[] {
  if (htlc === undefined) return fixture.firstRound(balances);
  const state = {
    toHolderMsat: balances.toHolderMsat - htlc.amountMsat,
    toCounterpartyMsat: balances.toCounterpartyMsat,
  };
  const revoked = fixture.firstRound(balances)[1]!;
  return [
    {
      channelId: fixture.channelId,
      updateId: 1,
      steps: [
        {
          kind: 'latestCounterpartyCommitment',
          commitment: fixture.counterpartyCommitment(1, { ...state, htlcs: [{ ...htlc, offered: false }] }),
        },
      ],
    },
    revoked,
    {
      channelId: fixture.channelId,
      updateId: 3,
      steps: [
        {
          kind: 'latestHolderCommitment',
          commitment: fixture.holderCommitment(1, { ...state, htlcs: [htlc] }),
        },
      ],
    },
  ];
}

/** An Enforcer over the monitor's database, followed from the current tip. */
async function startEnforcer() {
  const chain = new BitcoindChainSource({
    url: node.regtest.url,
    auth: { user: 'vigil', password: 'test-password' },
  });
  const db = harness.monitor.db;
  const enforcer = await Enforcer.load({
    db,
    book: await ChannelBook.load(db),
    chain,
    log: createLogger({ name: 'enforcer-test', level: 'silent' }),
    notifyEvents: () => {},
  });
  const follower = new BlockFollower({
    id: `enforcer-test-${Math.random()}`,
    source: chain,
    sql: db,
    listener: enforcer,
    // From the funding block, so a reorg of the blocks after it finds its fork point.
    startHeight: (await chain.getTip()).height,
  });
  return {
    /** Follows the chain to its tip, then claims. */
    async step(): Promise<void> {
      await follower.poll();
      await enforcer.afterPoll();
    },
  };
}

/** Txids in the mempool spending an output of `parent`. */
async function claimsOf(parent: Transaction): Promise<string[]> {
  const spending: string[] = [];
  for (const id of await node.rpc.call<string[]>('getrawmempool')) {
    const tx = await fetchTx(node.rpc, id);
    if (tx.inputs.some((i) => equalBytes(i.prevout.txid, txid(parent)))) spending.push(id);
  }
  return spending;
}

async function tenantEvents(channelByte: number): Promise<MonitorEvent[]> {
  const tenant = nodeIdOf(tenantKeys[channelByte & 0x0f]!);
  const rows = await harness.database.sql<{ event: Uint8Array }[]>`
    SELECT event FROM event_outbox WHERE tenant = ${tenant} ORDER BY sequence`;
  return rows.map((r) => decodeMonitorEvent(new Uint8Array(r.event)));
}

/** What `tx` pays the fixture's destination script. */
function paidToDestination(fixture: ChannelFixture, tx: Transaction): bigint {
  const destination = fixture.init().destinationScript;
  return tx.outputs
    .filter((o) => equalBytes(o.scriptPubKey, destination))
    .reduce((s, o) => s + o.valueSat, 0n);
}

describe('Enforcer', () => {
  it('takes to_local and to_remote of a revoked commitment in one justice transaction', async () => {
    const fixture = await watchedChannel(0x30);
    const enforcer = await startEnforcer();
    const breach = fixture.signedCounterpartyCommitmentTx(0, balances);
    await node.rpc.call('sendrawtransaction', txHex(breach));
    await mine(node.rpc, 1);
    await enforcer.step();

    const [justiceTxid] = await claimsOf(breach);
    expect(justiceTxid).toBeDefined();
    const justice = await fetchTx(node.rpc, justiceTxid!);
    expect(justice.inputs.map((i) => toHex(i.prevout.txid))).toEqual([
      toHex(txid(breach)),
      toHex(txid(breach)),
    ]);
    const owedSat = breach.outputs.reduce((s, o) => s + o.valueSat, 0n);
    const feeSat = owedSat - justice.outputs[0]!.valueSat;
    expect(paidToDestination(fixture, justice)).toBe(owedSat - feeSat);
    // At the node's fallback feerate (253 sat/kw) on a ~2-input claim: a few hundred sat.
    expect(feeSat).toBeGreaterThan(0n);
    expect(feeSat).toBeLessThan(1_000n);

    // Rebroadcast while unconfirmed is idempotent; nothing is claimed twice.
    await enforcer.step();
    expect(await claimsOf(breach)).toEqual([justiceTxid]);
    await mine(node.rpc, 1);
    await enforcer.step();
    expect(await claimsOf(breach)).toEqual([]);

    // Events once their transaction is ANTI_REORG_DELAY (6) deep, each once.
    const kinds = async () => (await tenantEvents(0x30)).map((e) => e.kind);
    expect(await kinds()).toEqual([]);
    await mine(node.rpc, 4); // the breach is 6 deep, the justice 5
    await enforcer.step();
    expect(await kinds()).toEqual(['commitmentTxConfirmed']);
    await mine(node.rpc, 1);
    await enforcer.step();
    expect(await kinds()).toEqual(['commitmentTxConfirmed', 'claimConfirmed', 'spendableOutputs']);
    await mine(node.rpc, 1);
    await enforcer.step();
    expect(await kinds()).toHaveLength(3);
    const spendable = (await tenantEvents(0x30))[2]!;
    expect(spendable).toMatchObject({
      kind: 'spendableOutputs',
      outputs: [{ valueSat: owedSat - feeSat, scriptPubKey: fixture.init().destinationScript }],
    });

    // Settled: once its last spend is deeper than the follower's reorg window (144 blocks), the
    // engine forgets the channel; it stays locked down and nothing is emitted again.
    const spendRows = async () =>
      (
        await harness.database.sql`
        SELECT 1 FROM enforcement_spends WHERE channel_id = ${new Uint8Array(32).fill(0x30)}`
      ).length;
    expect(await spendRows()).toBe(3); // the funding output, to_local and to_remote
    await mine(node.rpc, 137); // the tip is 143 blocks above the justice
    await enforcer.step();
    expect(await spendRows()).toBe(3);
    await mine(node.rpc, 1);
    await enforcer.step();
    expect(await spendRows()).toBe(0);
    expect(await kinds()).toHaveLength(3);
    const [locked] = await harness.database.sql<{ funding_spend_seen: boolean }[]>`
      SELECT funding_spend_seen FROM channel_monitors WHERE channel_id = ${new Uint8Array(32).fill(0x30)}`;
    expect(locked!.funding_spend_seen).toBe(true);
  });

  it('claims again when a reorg removes the breach and a different chain mines it', async () => {
    const fixture = await watchedChannel(0x31);
    const enforcer = await startEnforcer();
    const breach = fixture.signedCounterpartyCommitmentTx(0, balances);
    await node.rpc.call('sendrawtransaction', txHex(breach));
    const [breachBlock] = await mine(node.rpc, 1);
    await enforcer.step();
    const [justiceTxid] = await claimsOf(breach);
    await mine(node.rpc, 2);
    await enforcer.step();

    // Three blocks disconnected: the breach and the justice go back to the mempool; a new chain
    // without them is longer.
    await node.rpc.call('invalidateblock', breachBlock);
    for (let i = 0; i < 4; i++) await node.rpc.call('generateblock', testKey('enforcer miner').address, []);
    await enforcer.step();
    const spends = await harness.database.sql`
      SELECT 1 FROM enforcement_spends WHERE channel_id = ${new Uint8Array(32).fill(0x31)}`;
    expect(spends).toHaveLength(0);

    // The breach reappears, alone, in a block of the new chain: the same justice transaction is
    // owed again and broadcast again (the node still holds it from the reorg: already known).
    await node.rpc.call('generateblock', testKey('enforcer miner').address, [txHex(breach)]);
    await enforcer.step();
    expect(await claimsOf(breach)).toEqual([justiceTxid]);
    await mine(node.rpc, 1);
    await enforcer.step();
    const [spend] = await harness.database.sql<{ tx: Uint8Array }[]>`
      SELECT tx FROM enforcement_spends
      WHERE channel_id = ${new Uint8Array(32).fill(0x31)} AND spent_txid = ${txid(breach)}`;
    expect(txidHex(decodeTx(new Uint8Array(spend!.tx)))).toBe(justiceTxid);
  });

  it('bumps a justice transaction the mempool dropped below its minimum fee until it confirms', async () => {
    const fixture = await watchedChannel(0x32);
    const enforcer = await startEnforcer();
    const breach = fixture.signedCounterpartyCommitmentTx(0, balances);
    await node.rpc.call('sendrawtransaction', txHex(breach));
    await mine(node.rpc, 1);
    await enforcer.step();
    const [first] = await claimsOf(breach);
    expect(first).toBeDefined();
    const claimState = async () =>
      (
        await harness.database.sql<{ feerate_per_kw: number; refused_for_fee: boolean }[]>`
          SELECT feerate_per_kw, refused_for_fee FROM enforcement_claims
          WHERE channel_id = ${new Uint8Array(32).fill(0x32)}`
      )[0]!;
    const initial = (await claimState()).feerate_per_kw;

    // The mempool fills up: its minimum rises to 50 sat/vB and the justice is evicted.
    await node.rpc.call('setmempoolminfee', 0.0005);
    try {
      expect(await claimsOf(breach)).toEqual([]);
      // Next block: rebroadcast at the same feerate, refused for its fee.
      await mine(node.rpc, 1);
      await enforcer.step();
      expect(await claimsOf(breach)).toEqual([]);
      expect(await claimState()).toEqual({ feerate_per_kw: initial, refused_for_fee: true });
      // The block after: bumped by RBF rules (new estimate or +25%, whichever is higher).
      await mine(node.rpc, 1);
      await enforcer.step();
      const [bumped] = await claimsOf(breach);
      expect(bumped).toBeDefined();
      expect(bumped).not.toBe(first);
      const state = await claimState();
      expect(state.refused_for_fee).toBe(false);
      expect(state.feerate_per_kw).toBeGreaterThanOrEqual(Math.ceil(initial * 1.25));
      expect(state.feerate_per_kw).toBeGreaterThanOrEqual(12_500); // 50 sat/vB
      await mine(node.rpc, 1);
      const justice = await fetchTx(node.rpc, bumped!);
      // Everything owed reached the destination but the fee, which pays at least the feerate
      // on the actual weight and at most half the value.
      const owedSat = breach.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
      const feeSat = owedSat - paidToDestination(fixture, justice);
      expect(feeSat).toBeGreaterThanOrEqual(
        BigInt(Math.floor((state.feerate_per_kw * txWeight(justice)) / 1000)),
      );
      expect(feeSat * 2n).toBeLessThan(owedSat);
    } finally {
      await node.rpc.call('setmempoolminfee', 0);
    }
  });

  it('broadcasts our commitment when an outbound HTLC expires, times the HTLC out and sweeps after the delay', async () => {
    const expiry = (await height(node.rpc)) + 12;
    const htlc: MonitorHtlc = {
      htlcId: 0n,
      offered: true,
      amountMsat: 50_000_000n,
      paymentHash: payment(7).paymentHash,
      cltvExpiry: expiry,
    };
    const fixture = await watchedChannel(0x33, htlc);
    const channelId = new Uint8Array(32).fill(0x33);
    const enforcer = await startEnforcer();
    const funding = fixture.parameters.fundingOutpoint;
    const spendsOfFunding = async () => {
      const ids = await node.rpc.call<string[]>('getrawmempool');
      const txs = await Promise.all(ids.map((id) => fetchTx(node.rpc, id)));
      return txs.filter((tx) => tx.inputs.some((i) => equalBytes(i.prevout.txid, funding.txid)));
    };
    // LATENCY_GRACE_PERIOD_BLOCKS (3) after the expiry, not before.
    await mine(node.rpc, expiry + 2 - (await height(node.rpc)));
    await enforcer.step();
    expect(await spendsOfFunding()).toEqual([]);
    await mine(node.rpc, 1);
    await enforcer.step();
    const [commitment] = await spendsOfFunding();
    expect(commitment).toBeDefined();
    const [locked] = await harness.database.sql<{ holder_commitment_signed: boolean }[]>`
      SELECT holder_commitment_signed FROM channel_monitors WHERE channel_id = ${channelId}`;
    expect(locked!.holder_commitment_signed).toBe(true);
    expect((await tenantEvents(0x33)).map((e) => e.kind)).toEqual(['holderForceClosedWithInfo']);

    // Confirmed: our HTLC-timeout transaction (its locktime, the expiry, has passed) follows.
    await mine(node.rpc, 1);
    const commitmentHeight = await height(node.rpc);
    await enforcer.step();
    const [timeoutTx] = await claimsOf(commitment!);
    expect(timeoutTx).toBeDefined();
    await mine(node.rpc, 1);
    await enforcer.step();

    // to_local and the HTLC transaction's output are ours after to_self_delay (720 blocks).
    const delay = fixture.parameters.counterpartySelectedContestDelay;
    await mine(node.rpc, commitmentHeight + delay - 1 - (await height(node.rpc)));
    await enforcer.step();
    const toLocalSweeps = await claimsOf(commitment!);
    expect(toLocalSweeps).toHaveLength(1);
    await mine(node.rpc, 1);
    await enforcer.step();
    const timeout = await fetchTx(node.rpc, timeoutTx!);
    const [htlcSweep] = await claimsOf(timeout);
    expect(htlcSweep).toBeDefined();
    await mine(node.rpc, 6);
    await enforcer.step();

    const toLocal = await fetchTx(node.rpc, toLocalSweeps[0]!);
    const swept =
      paidToDestination(fixture, toLocal) + paidToDestination(fixture, await fetchTx(node.rpc, htlcSweep!));
    const owedSat =
      commitment!.outputs[toLocal.inputs[0]!.prevout.vout]!.valueSat + timeout.outputs[0]!.valueSat;
    // Both sweeps' fees at the node's feerate: a few hundred sat each.
    expect(owedSat - swept).toBeGreaterThan(0n);
    expect(owedSat - swept).toBeLessThan(2_000n);
    const events = await tenantEvents(0x33);
    expect(events.map((e) => e.kind).sort()).toEqual(
      [
        'holderForceClosedWithInfo',
        'commitmentTxConfirmed',
        'htlcResolved',
        'claimConfirmed',
        'spendableOutputs',
        'claimConfirmed',
        'spendableOutputs',
      ].sort(),
    );
    expect(events.find((e) => e.kind === 'htlcResolved')).toMatchObject({
      htlcId: 0n,
      preimage: undefined,
      valueSat: 50_000n,
    });
  });
});
