#!/usr/bin/env node
/**
 * `npm run demo` (after `tsc -b`): runs the demo (demo.ts) and prints its progress and summary.
 * Exit code 0 only if the victim got its funds back; 1 if it did not, or the demo failed; 2 on a
 * bad flag. SIGINT or SIGTERM stops everything the demo started before exiting.
 */
import { DeadlineError } from './deadline.js';
import { runDemo } from './demo.js';
import { parseDemoOptions, USAGE } from './demo-options.js';
import { Progress } from './progress.js';

/** How long the process may linger after the demo ended before it exits regardless. */
const EXIT_GRACE_MS = 5_000;

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseDemoOptions(argv);
  } catch (e) {
    console.error(`vigil demo: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const progress = new Progress();
  progress.step(
    `Vigil demo: ${options.payments} payments, 2 monitors${options.oneMonitorDown ? ' (monitor 2 down)' : ''}${options.reorg ? ', a reorg' : ''}`,
  );
  const report = await runDemo(options, progress, stopOnSignals);
  for (const line of report.summary) progress.line(line);
  progress.line(`done in ${progress.elapsedSeconds.toFixed(1)} s`);
  return report.ok ? 0 : 1;
}

/** On SIGINT or SIGTERM: stop what the demo started, then exit. */
function stopOnSignals(close: () => Promise<void>): void {
  const stop = (signal: NodeJS.Signals) => {
    console.error(`vigil demo: ${signal}: stopping`);
    close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const message =
        e instanceof DeadlineError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      console.error(`vigil demo: FAILED: ${message}`);
      process.exitCode = 1;
    },
  )
  .finally(() => {
    // Everything is stopped by now; should a stuck connection still hold the process, exit anyway.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  });
