/**
 * The demo, start to finish (issue 7: "a newcomer should see Vigil do its job within a minute"):
 * start the chain, two monitors and the manager's side (demo-stack.ts); open and fund a channel
 * and pay back and forth, every update persisted by the monitors (demo-channel.ts); have B
 * broadcast an early commitment it has since revoked, and watch the monitors punish it
 * (breach.ts); then read from the chain whether A got what it was owed (breach-outcome.ts).
 */
import { breach, liveMonitors } from './breach.js';
import { breachOutcome } from './breach-outcome.js';
import { makePayments, openDemoChannel } from './demo-channel.js';
import type { DemoOptions } from './demo-options.js';
import { type DemoStack, startDemoStack } from './demo-stack.js';
import { settleEvents } from './manager-events.js';
import type { Progress } from './progress.js';
import { type DemoFacts, summaryLines } from './summary.js';

export interface DemoReport {
  /** The victim got its funds back. */
  readonly ok: boolean;
  readonly summary: readonly string[];
}

/**
 * Runs the demo, printing progress on `progress`; always stops what it started (and drops the
 * databases unless `keep`). `onStarted` receives the stack's `close`, for a signal handler.
 */
export async function runDemo(
  options: DemoOptions,
  progress: Progress,
  onStarted: (close: () => Promise<void>) => void = () => {},
): Promise<DemoReport> {
  const stack = await startDemoStack(options, progress);
  onStarted(stack.close);
  let facts: DemoFacts;
  try {
    facts = await Promise.race([play(stack, options, progress), stack.failure]);
  } catch (e) {
    // The demo's failure is the news; one in stopping afterwards (likely its consequence) is noted.
    await stack
      .close()
      .catch((stopping: unknown) =>
        progress.step(
          `also, while stopping: ${stopping instanceof Error ? stopping.message : String(stopping)}`,
        ),
      );
    throw e;
  }
  await stack.close();
  return { ok: facts.outcome.recovered, summary: summaryLines(facts) };
}

async function play(stack: DemoStack, options: DemoOptions, progress: Progress): Promise<DemoFacts> {
  const channel = await openDemoChannel(stack, progress);
  if (options.oneMonitorDown) {
    await stack.monitors[1]!.stop();
    progress.step('monitor 2 stopped: it misses every payment; monitor 1 alone keeps the quorum (1 of 2)');
  }
  const { snapshot, updates } = await makePayments(stack, channel, options.payments, progress);
  const { b } = channel.pair;
  const latest = b.watch.monitor!.currentHolderCommitment;
  const result = await breach(stack, snapshot, options, progress);
  const events = await settleEvents(stack, result.justice.txid, result.justiceHeight);
  progress.step(
    `justice ${events.depth} blocks deep: the manager heard ${events.kinds.join(', ') || 'nothing yet'}`,
  );
  const outcome = await breachOutcome(
    stack.chain.rpc,
    snapshot.commitment,
    channel.pair.a.deps.destinationScript,
    stack.startHeight + 1,
  );
  const live = liveMonitors(stack).map((m) => m.id);
  return {
    channelId: channel.channelId,
    payments: options.payments,
    commitments: latest.commitmentNumber,
    updates,
    monitors: stack.monitors.map((m) => m.id),
    stopped: stack.monitors.filter((m) => !live.includes(m.id)).map((m) => m.id),
    quorum: stack.quorum,
    revokedNumber: snapshot.commitmentNumber,
    revokedToBSat: snapshot.toBMsat / 1000n,
    latestToBSat: latest.toHolderMsat / 1000n,
    breach: result,
    events,
    outcome,
    logDir: stack.logDir,
    keptDatabases: options.keep
      ? [...stack.monitors.map((m) => m.database.name), stack.manager.database.name]
      : [],
  };
}
