/**
 * The sessions of this process: counted for GetStatus, told when their tenant has new events, and
 * drained together at shutdown.
 */
import type { Session } from './session.js';

export class SessionRegistry {
  readonly #sessions = new Set<Session>();

  /** Keeps `session` until it is done. */
  track(session: Session): void {
    this.#sessions.add(session);
    void session.done.then(() => this.#sessions.delete(session));
  }

  get openCount(): number {
    return [...this.#sessions].filter((s) => s.isOpen).length;
  }

  /** Wakes the open sessions of the tenant `tenantHex`. */
  notifyEvents(tenantHex: string): void {
    for (const session of this.#sessions) if (session.tenant?.hex === tenantHex) session.notifyEvents();
  }

  /** Drains every session (see `Session.drain`); resolves when all are done. */
  async drainAll(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.drain()));
  }
}
