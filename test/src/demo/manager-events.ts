/**
 * The events the monitors send back to the manager once the justice is ANTI_REORG_DELAY deep
 * (DESIGN.md "The domain": `CommitmentTxConfirmed`, `ClaimConfirmed`, `SpendableOutputs`): the
 * demo mines that deep and waits for the manager's inbox to have handled the justice's
 * `claimConfirmed` (once, however many monitors reported it).
 */
import { ANTI_REORG_DELAY, type MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { height, mine } from '../support/regtest/regtest-fixture.js';
import { eventually } from '../support/wait.js';
import { displayTxid } from './chain-scan.js';
import type { DemoStack } from './demo-stack.js';

const EVENTS_TIMEOUT_MS = 30_000;

/**
 * Mines until the justice mined at `justiceHeight` is ANTI_REORG_DELAY deep and returns the kinds
 * of the events the manager handled by the time `claimConfirmed` for `justiceTxid` arrived (or
 * the timeout passed), and the justice's depth.
 */
export async function settleEvents(
  stack: DemoStack,
  justiceTxid: string,
  justiceHeight: number,
): Promise<{ kinds: string[]; claimConfirmed: boolean; depth: number }> {
  const { rpc } = stack.chain;
  const missing = justiceHeight + ANTI_REORG_DELAY - 1 - (await height(rpc));
  if (missing > 0) await mine(rpc, missing);
  const confirmed = (e: MonitorEvent) => e.kind === 'claimConfirmed' && displayTxid(e.txid) === justiceTxid;
  const claimConfirmed = await eventually(
    () => stack.manager.events.some(confirmed),
    'the manager to hear claimConfirmed',
    { timeoutMs: EVENTS_TIMEOUT_MS, intervalMs: 50 },
  ).then(
    () => true,
    () => false,
  );
  return {
    kinds: [...new Set(stack.manager.events.map((e) => e.kind))],
    claimConfirmed,
    depth: (await height(rpc)) - justiceHeight + 1,
  };
}
