/**
 * Which monitors built and broadcast a claim, read from what they leave behind: their log lines
 * (`claim broadcast`, with the txid and pino's `time`, when the node accepted it) and their calls
 * to the chain (`sendrawtransaction`, noted by their BroadcastRecorder). A monitor whose broadcast
 * found the claim already known (another monitor was first: claims are deterministic, so both
 * built the same txid) logs nothing about it; its call shows it broadcast it too. (Nothing here
 * reads a monitor's database: on PGlite it serves the monitor's one connection only.)
 */
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

/** How `monitor` broadcast `txid`, or undefined if it has not (yet). */
export function broadcastKind(monitor: DemoMonitor, txid: string): BroadcastKind | undefined {
  if (claimBroadcasts(monitor).some((b) => b.txid === txid)) return 'accepted';
  const answers = monitor.broadcasts.filter((b) => b.txid === txid).map((b) => b.answer);
  if (answers.includes('accepted')) return 'accepted';
  return answers.includes('already known') ? 'already known' : undefined;
}

/** How many times the monitor's log reports a watched outpoint spent by `txid` (once per chain it saw it on). */
export function spendsSeen(monitor: DemoMonitor, txid: string): number {
  return monitor.lines.filter((line) => line['msg'] === 'watched outpoint spent' && line['txid'] === txid)
    .length;
}
