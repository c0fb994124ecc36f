/**
 * The demo's closing summary: what was protected, what B tried, what the monitors did about it,
 * and whether A got its funds back, one fact per line (`  label  value`).
 */
import { sats } from './progress.js';
import type { BreachOutcome } from './breach-outcome.js';
import type { BreachResult } from './breach.js';
import { describeBroadcasters } from './breach.js';

export interface DemoFacts {
  readonly channelId: string;
  readonly payments: number;
  /** B's latest commitment number when it cheated. */
  readonly commitments: number;
  /** A's monitor updates. */
  readonly updates: number;
  /** The monitors' ids, and those stopped before the payments. */
  readonly monitors: readonly string[];
  readonly stopped: readonly string[];
  readonly quorum: number;
  readonly revokedNumber: number;
  readonly revokedToBSat: bigint;
  readonly latestToBSat: bigint;
  readonly breach: BreachResult;
  readonly events: { readonly kinds: readonly string[]; readonly claimConfirmed: boolean };
  readonly outcome: BreachOutcome;
  readonly logDir: string;
  /** The databases left in place (`--keep`). */
  readonly keptDatabases: readonly string[];
}

/** The summary's lines; the last one says whether the victim got its funds back. */
export function summaryLines(facts: DemoFacts): string[] {
  const { breach, outcome } = facts;
  const row = (label: string, value: string) => `  ${label.padEnd(14)} ${value}`;
  const reaction = Number.isNaN(breach.justice.reactionSeconds)
    ? 'unknown (no monitor logged an accepted broadcast)'
    : `${breach.justice.reactionSeconds.toFixed(3)} s`;
  const monitors = `${facts.monitors.join(', ')} (quorum ${facts.quorum} of ${facts.monitors.length}${
    facts.stopped.length > 0 ? `; ${facts.stopped.join(', ')} stopped before the payments` : ''
  })`;
  return [
    'summary',
    row('channel', facts.channelId),
    row('monitors', monitors),
    row(
      'states',
      `${facts.commitments + 1} commitments: ${facts.payments} payments, ${facts.updates} monitor updates, each persisted by the quorum before it took effect`,
    ),
    row(
      'revoked state',
      `#${facts.revokedNumber} broadcast by B: ${breach.breachTxid} (B's balance in it ${sats(facts.revokedToBSat)} sat; in its latest ${sats(facts.latestToBSat)} sat)`,
    ),
    row(
      'justice',
      `${breach.justice.txid} broadcast by ${describeBroadcasters(breach.justice.broadcasters)}, mined in block ${breach.justiceHeight}`,
    ),
    ...(breach.reorgBlock === undefined
      ? []
      : [
          row(
            'reorg',
            `the breach block ${breach.breachHeight} was replaced by ${breach.reorgBlock}; the monitors followed and claimed again`,
          ),
        ]),
    row('reaction', `${reaction} from the breach block to the justice broadcast`),
    row(
      'events',
      `the manager heard ${facts.events.kinds.join(', ') || 'none'}${facts.events.claimConfirmed ? '' : ' (claimConfirmed not yet)'}`,
    ),
    row(
      'victim (A)',
      `${sats(outcome.receivedSat)} sat at its destination; owed ${sats(outcome.owedSat)} sat (the revoked commitment's outputs) minus the justice fee ${sats(outcome.feeSat)} sat = ${sats(outcome.owedSat - outcome.feeSat)} sat`,
    ),
    row('logs', facts.logDir),
    ...(facts.keptDatabases.length > 0 ? [row('databases', facts.keptDatabases.join(', '))] : []),
    row(
      'result',
      outcome.recovered
        ? 'OK: A got its funds back, and B lost its whole balance'
        : `FAILED: A did not get its funds back${outcome.allClaimed ? '' : ' (some outputs of the revoked commitment are not claimed)'}`,
    ),
  ];
}
