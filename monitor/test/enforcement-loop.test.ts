/**
 * The EnforcementLoop with a scripted follower and enforcer: polls never overlap (the loop's and
 * those asked for), failures are logged and polling goes on (a reorg too deep at error level),
 * after-poll work runs even when the poll failed, and `stop` waits for the poll in flight.
 */
import { ReorgTooDeepError } from '@vigil/shared/chain/block-follower';
import type { BlockRef } from '@vigil/shared/chain/chain-source';
import { createLogger } from '@vigil/shared/log/logger';
import { eventually } from '@vigil/test/support/wait';
import { describe, expect, it } from 'vitest';
import { EnforcementLoop } from '../src/enforcement-loop.js';

/** A promise resolved from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every queued promise callback and I/O callback run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A follower whose n-th poll (from 0) runs `script(n)`, counting polls in flight, and an enforcer
 * counting after-poll runs, with the loop's log lines.
 */
function scripted(script: (n: number) => Promise<void>, intervalMs = 1) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    name: 'vigil-monitor',
    level: 'debug',
    destination: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const state = { polls: 0, inFlight: 0, maxInFlight: 0, afterPolls: 0 };
  let position: BlockRef | undefined;
  const follower = {
    get position() {
      return position;
    },
    async poll() {
      const n = state.polls++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        await script(n);
        position = { height: n, hash: new Uint8Array(32) };
        return { connected: 1, disconnected: 0 };
      } finally {
        state.inFlight--;
      }
    },
  };
  const enforcer = {
    async afterPoll() {
      state.afterPolls++;
    },
  };
  const loop = new EnforcementLoop({ follower, enforcer, intervalMs, log });
  return { loop, state, lines };
}

describe('EnforcementLoop', () => {
  it('never runs two polls at once, whoever asks', async () => {
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const { loop, state } = scripted((n) => gates[n]?.promise ?? Promise.resolve(), 3_600_000);
    loop.start(); // Its first poll starts at once, then waits an hour.
    const asked = [loop.pollNow(), loop.pollNow(), loop.pollNow()];
    for (const gate of gates) {
      await settled();
      expect(state.inFlight).toBe(1);
      gate.resolve();
    }
    await Promise.all(asked);
    expect(state).toMatchObject({ polls: 4, maxInFlight: 1, afterPolls: 4 });
    expect(loop.position?.height).toBe(3);
    await loop.stop();
  });

  it('logs a reorg too deep at error level and keeps retrying; other failures as warnings', async () => {
    const { loop, state, lines } = scripted(async (n) => {
      if (n < 2) throw new ReorgTooDeepError('follower enforcement', 'no kept block is on the best chain');
      if (n === 2) throw new Error('connection refused');
    });
    loop.start();
    await eventually(() => state.polls >= 4, 'the loop to poll past its failures');
    await loop.stop();
    const failures = lines.filter((l) => l['err'] !== undefined);
    expect(failures.slice(0, 3).map((l) => [l['level'], (l['err'] as { type: string }).type])).toEqual([
      [50, 'ReorgTooDeepError'],
      [50, 'ReorgTooDeepError'],
      [40, 'Error'],
    ]);
    // After-poll work ran after the failed polls too (claims are rebroadcast while stuck).
    expect(state.afterPolls).toBe(state.polls);
  });

  it("rejects an asked-for poll with the poll's error, which the loop survives", async () => {
    const { loop } = scripted(async (n) => {
      if (n === 0) throw new Error('node down');
    });
    await expect(loop.pollNow()).rejects.toThrow('node down');
    await expect(loop.pollNow()).resolves.toBeUndefined();
    await loop.stop();
  });

  it('stops only after the poll in flight, and polls no more', async () => {
    const gate = deferred();
    const { loop, state } = scripted((n) => (n === 0 ? gate.promise : Promise.resolve()));
    loop.start();
    await eventually(() => state.inFlight === 1, 'the first poll');
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await settled();
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(state).toMatchObject({ polls: 1, inFlight: 0, afterPolls: 1 });
    await expect(loop.pollNow()).rejects.toThrow('the enforcement loop is stopped');
    expect(state.polls).toBe(1);
  });
});
