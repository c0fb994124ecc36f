/**
 * Periodic maintenance: compacting the update log (policy in store/update-log.ts) and forgetting
 * Hello nonces whose timestamps have left the window (store/nonce-cache.ts). Runs once at start
 * and then every `intervalMs`; a run never overlaps the next, and stopping waits for a run in
 * progress.
 */
import type { Database } from '@vigil/shared/db/database';
import type { Logger } from '@vigil/shared/log/logger';
import { forgetNoncesBefore } from '../store/nonce-cache.js';
import { compactUpdateLog } from '../store/update-log.js';

export interface MaintenanceOptions {
  readonly intervalMs: number;
  /** Update log entries kept per channel. */
  readonly retainUpdates: number;
  readonly helloWindowMs: number;
  readonly now: () => number;
}

export interface Maintenance {
  /** One run now (also what the timer does). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startMaintenance(db: Database, options: MaintenanceOptions, log: Logger): Maintenance {
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = async (): Promise<void> => {
    const compacted = await compactUpdateLog(db, options.retainUpdates);
    const forgotten = await forgetNoncesBefore(db, BigInt(options.now() - options.helloWindowMs));
    if (compacted > 0 || forgotten > 0) log.info({ compacted, forgotten }, 'maintenance');
  };
  const tick = (): void => {
    running = runOnce()
      .catch((e: unknown) => log.error({ err: e }, 'maintenance failed; retrying next interval'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  tick();
  return {
    runOnce: () => (running = running.then(runOnce)),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
