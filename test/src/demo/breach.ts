/**
 * The breach and its punishment (BOLT 5 "Revoked Transaction Close Handling"), as the chain and
 * the monitors' logs show it: B broadcasts its revoked commitment and it is mined; the monitors
 * that are running see it within a poll and broadcast the same justice transaction (claims are
 * deterministic); it is mined. With `--reorg`, the breach block (and the justice block after it)
 * is invalidated and a different chain mines the breach again: the monitors follow the reorg,
 * re-detect the breach, and claim again.
 */
import { type Transaction, txidHex } from '@vigil/shared/bitcoin/tx';
import { height, mine } from '../support/regtest/regtest-fixture.js';
import { testKey, txHex } from '../support/regtest/test-wallet.js';
import { eventually } from '../support/wait.js';
import { type BroadcastKind, broadcastKind, claimBroadcasts, spendsSeen } from './claim-reports.js';
import { blocksFrom, mempoolSpenders, spendsFrom } from './chain-scan.js';
import type { DemoMonitor } from './demo-monitor.js';
import type { DemoStack } from './demo-stack.js';
import type { Progress } from './progress.js';

/** How long the monitors have to react to a block (they poll the chain every 100 ms). */
const REACTION_TIMEOUT_MS = 30_000;
/** How long the demo waits for the monitors' broadcasts after a reorg before saying it saw none. */
const REBROADCAST_WAIT_MS = 5_000;
/** The reorg's blocks pay here, so they differ from the blocks they replace. */
const REORG_MINER = testKey('vigil demo reorg miner').address;

export interface Justice {
  readonly txid: string;
  /** The monitors that built and broadcast it, and how the node took it. */
  readonly broadcasters: ReadonlyMap<string, BroadcastKind>;
  /** From the breach block to the first monitor's broadcast. */
  readonly reactionSeconds: number;
}

export interface BreachResult {
  readonly breachTxid: string;
  /** Where the breach and the justice ended up on the best chain. */
  readonly breachHeight: number;
  readonly justice: Justice;
  readonly justiceHeight: number;
  /** With a reorg: the hash of the block that replaced the breach block. */
  readonly reorgBlock: string | undefined;
}

/** Broadcasts `revoked` (B's old commitment) and follows what happens until justice is mined. */
export async function breach(
  stack: DemoStack,
  revoked: { readonly commitment: Transaction; readonly commitmentNumber: number },
  options: { readonly reorg: boolean },
  progress: Progress,
): Promise<BreachResult> {
  const { rpc } = stack.chain;
  const breachTxid = await rpc.call<string>('sendrawtransaction', txHex(revoked.commitment));
  const [breachBlock] = await mine(rpc, 1);
  const minedAt = Date.now();
  const breachHeight = await height(rpc);
  progress.step(
    `breach: B broadcast revoked commitment #${revoked.commitmentNumber} (${breachTxid}), mined in block ${breachHeight}`,
  );
  let justice = await awaitJustice(stack, breachTxid, minedAt);
  progress.step(`justice broadcast by ${describeBroadcasters(justice.broadcasters)}: ${justice.txid}`);
  let mined = await mineJustice(stack, breachTxid, progress);
  let reorgBlock: string | undefined;
  if (options.reorg) {
    const at = { breachTxid, breachBlock: breachBlock!, breachHeight, justiceHeight: mined.height };
    reorgBlock = await reorg(stack, at, progress);
    mined = await mineJustice(stack, breachTxid, progress);
    // A claim rebuilt at another feerate after the reorg is another transaction.
    if (mined.txid !== justice.txid) justice = await awaitJustice(stack, breachTxid, minedAt, mined.txid);
  }
  return { breachTxid, breachHeight, justice, justiceHeight: mined.height, reorgBlock };
}

/** The running monitors (with --one-monitor-down, monitor 2 is stopped). */
export function liveMonitors(stack: DemoStack): DemoMonitor[] {
  return stack.monitors.filter((m) => m.running);
}

/**
 * Waits for the justice transaction (`txid`, or the first in the mempool spending the breach),
 * then for every running monitor to have built and broadcast it (accepted, or already known from
 * another monitor).
 */
async function awaitJustice(
  stack: DemoStack,
  breachTxid: string,
  minedAt: number,
  known?: string,
): Promise<Justice> {
  let txid = known;
  await eventually(
    async () => (txid ??= (await mempoolSpenders(stack.chain.rpc, breachTxid)).map(txidHex)[0]) !== undefined,
    'a justice transaction in the mempool',
    { timeoutMs: REACTION_TIMEOUT_MS, intervalMs: 50 },
  );
  const broadcasters = new Map<string, BroadcastKind>();
  await eventually(
    () => {
      for (const monitor of liveMonitors(stack)) {
        const kind = broadcasters.get(monitor.id) ?? broadcastKind(monitor, txid!);
        if (kind !== undefined) broadcasters.set(monitor.id, kind);
      }
      return broadcasters.size === liveMonitors(stack).length;
    },
    `every running monitor to broadcast justice ${txid}`,
    { timeoutMs: REACTION_TIMEOUT_MS, intervalMs: 50 },
  );
  const times = stack.monitors.flatMap((m) =>
    claimBroadcasts(m)
      .filter((b) => b.txid === txid)
      .map((b) => b.timeMs),
  );
  const reactionSeconds = times.length === 0 ? NaN : (Math.min(...times) - minedAt) / 1000;
  return { txid: txid!, broadcasters: sorted(broadcasters), reactionSeconds };
}

function sorted<V>(map: ReadonlyMap<string, V>): Map<string, V> {
  return new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
}

/** `monitor m1` / `monitors m1 and m2` / `monitors m1 and m2 (m2: already known to the node)`. */
export function describeBroadcasters(broadcasters: ReadonlyMap<string, BroadcastKind>): string {
  const ids = [...broadcasters.keys()];
  const known = ids.filter((id) => broadcasters.get(id) === 'already known');
  const names =
    ids.length === 1 ? `monitor ${ids[0]}` : `monitors ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`;
  return known.length === 0 ? names : `${names} (${known.join(', ')}: already known to the node)`;
}

/** Mines a block and finds the justice in it (a transaction spending the breach). */
async function mineJustice(
  stack: DemoStack,
  breachTxid: string,
  progress: Progress,
): Promise<{ txid: string; height: number }> {
  const { rpc } = stack.chain;
  await mine(rpc, 1);
  const [block] = await blocksFrom(rpc, await height(rpc));
  const claim = block!.transactions.find((tx) => spendsFrom(tx, breachTxid));
  if (claim === undefined) throw new Error(`block ${block!.height} does not hold a justice transaction`);
  progress.step(`justice mined in block ${block!.height}`);
  return { txid: txidHex(claim), height: block!.height };
}

/**
 * Invalidates the breach block (and the justice block on it), mines a different block with the
 * breach only, and waits for every running monitor to follow the new chain and see the breach on
 * it again; the justice, back in the mempool, is theirs to claim again. Returns the new block's hash.
 */
async function reorg(
  stack: DemoStack,
  at: { breachTxid: string; breachBlock: string; breachHeight: number; justiceHeight: number },
  progress: Progress,
): Promise<string> {
  const { rpc } = stack.chain;
  const since = Date.now();
  await rpc.call('invalidateblock', at.breachBlock);
  progress.step(`reorg: invalidated blocks ${at.breachHeight}-${at.justiceHeight} (breach and justice)`);
  const { hash } = await rpc.call<{ hash: string }>('generateblock', REORG_MINER, [at.breachTxid]);
  progress.step(`reorg: a different block ${at.breachHeight} (${hash}) mines the breach again`);
  await eventually(
    () => liveMonitors(stack).every((m) => spendsSeen(m, at.breachTxid) >= 2),
    'the monitors to see the breach on the new chain',
    { timeoutMs: REACTION_TIMEOUT_MS, intervalMs: 50 },
  );
  // Their after-poll work (the claim) follows the block in the same poll.
  const rebroadcast = (m: DemoMonitor) => claimBroadcasts(m).some((b) => b.timeMs >= since);
  const again = await eventually(() => liveMonitors(stack).every(rebroadcast), 'rebroadcasts', {
    timeoutMs: REBROADCAST_WAIT_MS,
    intervalMs: 50,
  }).then(
    () => true,
    () => false,
  );
  const justice = (await mempoolSpenders(rpc, at.breachTxid)).map(txidHex);
  const who = liveMonitors(stack)
    .map((m) => m.id)
    .join(' and ');
  progress.step(
    again
      ? `reorg: ${who} followed the new chain and broadcast the justice again: ${justice.join(', ')}`
      : `reorg: ${who} followed the new chain; the justice is still in the mempool: ${justice.join(', ')}`,
  );
  return hash;
}
