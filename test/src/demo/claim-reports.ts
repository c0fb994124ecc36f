/**
 * Which monitors built and broadcast a claim, read from what they leave behind: their log lines
 * (`claim broadcast`, with the txid and pino's `time`, when the node accepted it) and their
 * `enforcement_claims` table (monitor/migrations/0002_enforcement.sql, the txid of each claim's
 * last broadcast). A monitor whose broadcast found the claim already known (another monitor was
 * first: claims are deterministic, so both built the same txid) logs nothing about it; its table
 * still holds the txid, so it counts as having broadcast it too.
 */
import { displayTxid } from './chain-scan.js';
import type { DemoMonitor } from './demo-monitor.js';

/** One `claim broadcast` log line. */
export interface ClaimBroadcast {
  readonly monitor: string;
  /** Display order. */
  readonly txid: string;
  /** When the monitor logged it, epoch ms. */
  readonly timeMs: number;
}

/** How a monitor broadcast a claim: first (the node accepted it) or already known to the node. */
export type BroadcastKind = 'accepted' | 'already known';

/** Every claim the monitor's log says it broadcast (accepted by the node), in log order. */
export function claimBroadcasts(monitor: DemoMonitor): ClaimBroadcast[] {
  return monitor.lines
    .filter((line) => line['msg'] === 'claim broadcast' && typeof line['txid'] === 'string')
    .map((line) => ({ monitor: monitor.id, txid: line['txid'] as string, timeMs: line['time'] as number }));
}

/** The txids (display order) of the claims the monitor stored as broadcast. */
export async function storedClaimTxids(monitor: DemoMonitor): Promise<Set<string>> {
  const rows = await monitor.database.sql<{ txid: Uint8Array }[]>`SELECT txid FROM enforcement_claims`;
  return new Set(rows.map((row) => displayTxid(row.txid)));
}

/** How `monitor` broadcast `txid`, or undefined if it has not (yet). */
export async function broadcastKind(monitor: DemoMonitor, txid: string): Promise<BroadcastKind | undefined> {
  if (claimBroadcasts(monitor).some((b) => b.txid === txid)) return 'accepted';
  if (monitor.lines.some((line) => line['txid'] === txid && /already.known/i.test(String(line['msg']))))
    return 'already known';
  return (await storedClaimTxids(monitor)).has(txid) ? 'already known' : undefined;
}

/** How many times the monitor's log reports a watched outpoint spent by `txid` (once per chain it saw it on). */
export function spendsSeen(monitor: DemoMonitor, txid: string): number {
  return monitor.lines.filter((line) => line['msg'] === 'watched outpoint spent' && line['txid'] === txid)
    .length;
}
