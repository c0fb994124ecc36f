/**
 * The enforcement scenario harness end to end (test/src/scenario/enforcement-harness.ts): a
 * channel opened and funded on regtest, payments both ways with every update of A persisted by
 * both monitors, and B's revoked commitment broadcast and mined while the monitors follow the
 * chain. What the monitors do about it is the engine's (its tests come with it); here the
 * monitors reach the tip and the breach is on-chain for them to see.
 */
import { txid } from '@vigil/shared/bitcoin/tx';
import { toHex } from '@vigil/shared/bytes';
import { EnforcementScenario } from '@vigil/test/scenario/enforcement-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the enforcement scenario harness', () => {
  let scenario: EnforcementScenario;

  beforeAll(async () => {
    scenario = await EnforcementScenario.start({ monitors: 2 });
  }, 120_000);

  afterAll(() => scenario?.close(), 60_000);

  it('opens on regtest, pays through two monitors, and confirms a revoked commitment', async () => {
    const { a, b } = scenario;
    expect(await scenario.confirmations(scenario.fundingTx)).toBeGreaterThanOrEqual(3);

    for (let i = 0; i < 20; i++) await scenario.pay(i % 2 === 0 ? a : b, 1_000_000n + BigInt(i) * 1000n);
    // Quorum 2 of 2: nothing of A's is in progress, so both monitors persisted every update.
    const last = a.watch.updates.at(-1)!.updateId;
    expect(a.watch.inProgress).toEqual([]);
    for (const session of scenario.manager.sessions) {
      expect(session.health()).toMatchObject({
        connected: true,
        channels: [{ position: last, state: 'ok' }],
      });
    }

    const snapshot = scenario.snapshotCounterpartyCommitment();
    expect(toHex(txid(snapshot.commitment))).toBe(toHex(b.channel.commitments!.localCommit.txid));
    for (let i = 0; i < 3; i++) await scenario.pay(a, 2_000_000n);
    scenario.pair.expectAgreement();
    // B has revoked the snapshot since.
    expect(b.channel.commitments!.localCommit.index).toBeGreaterThan(snapshot.commitmentNumber);

    await scenario.broadcast(snapshot.commitment);
    await scenario.mine(1);
    await scenario.pollMonitors();
    const tip = await scenario.tipHeight();
    for (const monitor of scenario.monitors) expect(monitor.running.chainPosition()?.height).toBe(tip);
    expect(await scenario.confirmations(snapshot.commitment)).toBe(1);
  }, 120_000);
});
