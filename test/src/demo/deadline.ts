/**
 * Time limits on the demo's waits that have none of their own: a step that waits for the monitors'
 * acks (frozen-channel.ts `settle`) would otherwise wait forever if a monitor or the manager's side
 * were stuck (say, a code path that waits on its own database pool, which with PGlite's one
 * connection per process never frees up). The demo fails instead, saying what it waited for.
 */

export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

/** Settles as `work` does, or rejects with a DeadlineError saying `message()` after `ms`. */
export async function within<T>(ms: number, work: Promise<T>, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(message())), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
