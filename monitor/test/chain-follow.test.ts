/**
 * A monitor with a chain section follows the embedded regtest node through bitcoind's JSON-RPC:
 * it starts at the configured height (or the tip), reaches every new tip on `pollChain`, keeps its
 * position across a restart, and never logs the RPC password. Without a chain section it warns
 * that it enforces nothing.
 */
import { height, mine, startTestNode, type TestNode } from '@vigil/test/support/regtest/regtest-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainConfig } from '../src/config.js';
import { type Harness, startHarness } from './support/harness.js';

const PASSWORD = 'never-logged-5b1e9c';

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({ rpc: { port: 0, auth: { user: 'vigil', password: PASSWORD } } });
});

afterAll(() => node.regtest.stop());

function chain(overrides: Partial<ChainConfig> = {}): ChainConfig {
  return {
    rpcUrl: node.regtest.url,
    auth: { user: 'vigil', password: PASSWORD },
    pollIntervalMs: 50,
    ...overrides,
  };
}

/** The heights the monitor's follower recorded, ascending. */
async function storedHeights(harness: Harness): Promise<number[]> {
  const rows = await harness.database.sql<{ height: number }[]>`
    SELECT height FROM chain_follower_blocks WHERE follower = 'enforcement' ORDER BY height`;
  return rows.map((r) => r.height);
}

async function tipHash(): Promise<string> {
  return node.rpc.call<string>('getbestblockhash');
}

const hashHex = (hash: Uint8Array) => Buffer.from(hash).reverse().toString('hex');

describe('a monitor with a chain section', () => {
  it('follows the tip from its start height, across a restart', async () => {
    const start = (await height(node.rpc)) - 2;
    const harness = await startHarness({ chain: chain({ startHeight: start }) });
    try {
      await harness.monitor.pollChain();
      expect(harness.monitor.chainPosition()?.height).toBe(start + 2);
      expect(await storedHeights(harness)).toEqual([start, start + 1, start + 2]);

      await mine(node.rpc, 3);
      await harness.monitor.pollChain();
      expect(hashHex(harness.monitor.chainPosition()!.hash)).toBe(await tipHash());

      await harness.restart();
      await mine(node.rpc, 1);
      await harness.monitor.pollChain();
      expect(harness.monitor.chainPosition()?.height).toBe(start + 6);
      expect(await storedHeights(harness)).toEqual([...Array(7).keys()].map((i) => start + i));

      const lines = harness.logs.join('\n');
      expect(lines).not.toContain(PASSWORD);
      expect(lines).not.toContain('enforces nothing');
    } finally {
      await harness.close();
    }
  });

  it('starts at the tip without a start height, and reports a refused password', async () => {
    const harness = await startHarness({ chain: chain() });
    try {
      await harness.monitor.pollChain();
      expect(hashHex(harness.monitor.chainPosition()!.hash)).toBe(await tipHash());
      expect(await storedHeights(harness)).toEqual([await height(node.rpc)]);

      await harness.restart({ chain: chain({ auth: { user: 'vigil', password: `${PASSWORD}-wrong` } }) });
      await expect(harness.monitor.pollChain()).rejects.toThrow(/refused the credentials/);
      const failures = harness.logs.filter((l) => l.includes('chain poll failed'));
      expect(failures.length).toBeGreaterThan(0);
      expect(harness.logs.join('\n')).not.toContain(PASSWORD);
    } finally {
      await harness.close();
    }
  });
});

describe('a monitor without a chain section', () => {
  it('warns that it enforces nothing, and has no chain to poll', async () => {
    const harness = await startHarness();
    try {
      const warning = harness.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['level'] === 40 && String(l['msg']).includes('enforces nothing'));
      expect(warning).toBeDefined();
      expect(harness.monitor.chainPosition()).toBeUndefined();
      await expect(harness.monitor.pollChain()).rejects.toThrow(/no chain is configured/);
    } finally {
      await harness.close();
    }
  });
});
