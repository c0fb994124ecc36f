/**
 * `npm run demo` end to end (issue 7): the built demo (test/dist/demo/cli.js) run as a child
 * process, as the README's first command runs it, with fewer payments to keep the suite fast:
 * by default, with monitor 2 down, and with a reorg of the breach block. Each run must exit 0
 * (the victim got its funds back), print the summary, and leave no database behind; without
 * Postgres the demo must say so.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUrl } from '@vigil/test/support/test-database';
import { freePort } from '@vigil/test/support/wait';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = `${REPO}test/dist/demo/cli.js`;
const RUN_TIMEOUT_MS = 120_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built demo with `args`; resolves with its exit code and output, its logs removed. */
async function demo(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const run = await runCli(args, env);
  const logDir = /logs in (\S+)/.exec(run.stdout)?.[1];
  if (logDir !== undefined) await rm(logDir, { recursive: true, force: true });
  return run;
}

function runCli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        }),
    ),
  );
}

/** The value of the summary row `label` (`  label   value`). */
function row(run: Run, label: string): string {
  const line = run.stdout.split('\n').find((l) => l.startsWith(`  ${label} `));
  expect(line, `summary row ${label} in:\n${run.stdout}\n${run.stderr}`).toBeDefined();
  return line!.slice(label.length + 2).trim();
}

/** `1,234` as 1234n. */
const sat = (text: string) => BigInt(text.replaceAll(',', ''));

/** The summary's common checks: exit 0, A got back what it was owed minus the fee. */
function expectRecovered(run: Run): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/^summary$/m);
  expect(row(run, 'result')).toMatch(/^OK: A got its funds back/);
  const victim = /^([\d,]+) sat at its destination; owed ([\d,]+) sat .* fee ([\d,]+) sat/.exec(
    row(run, 'victim (A)'),
  );
  expect(victim).not.toBeNull();
  const [, received, owed, fee] = victim!;
  expect(sat(received!)).toBe(sat(owed!) - sat(fee!));
  expect(sat(fee!)).toBeGreaterThan(0n);
  expect(row(run, 'states')).toMatch(/^\d+ commitments: 30 payments, \d+ monitor updates/);
  expect(row(run, 'revoked state')).toMatch(/^#\d+ broadcast by B: [0-9a-f]{64}/);
  expect(row(run, 'reaction')).toMatch(/^\d+\.\d{3} s from the breach block/);
  expect(row(run, 'events')).toMatch(/claimConfirmed/);
}

/** The databases the run created (named in its progress lines). */
function databasesOf(run: Run): string[] {
  return [...run.stdout.matchAll(/database (vigil_demo_\w+)/g)].map((m) => m[1]!);
}

describe('npm run demo', () => {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });

  beforeAll(async () => {
    // The demo runs the built code: build what changed (npm run demo runs `tsc -b` itself).
    await promisify(execFile)(`${REPO}node_modules/.bin/tsc`, ['-b', 'test'], { cwd: REPO });
  }, 180_000);

  afterAll(() => admin.end({ timeout: 5 }));

  async function expectDropped(run: Run): Promise<void> {
    const names = databasesOf(run);
    expect(names).toHaveLength(3);
    const left = await admin`SELECT datname FROM pg_database WHERE datname IN ${admin(names)}`;
    expect(left).toEqual([]);
  }

  it(
    'punishes the breach with both monitors',
    async () => {
      const run = await demo(['--payments', '30']);
      expectRecovered(run);
      expect(run.stdout).toMatch(/payments: 30\/30 \(\d+ updates, acked by 2 monitors/);
      expect(row(run, 'monitors')).toBe('m1, m2 (quorum 2 of 2)');
      expect(row(run, 'justice')).toMatch(/^[0-9a-f]{64} broadcast by monitors m1 and m2\b/);
      await expectDropped(run);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'punishes the breach with monitor 2 down (quorum 1 of 2)',
    async () => {
      const run = await demo(['--payments', '30', '--one-monitor-down']);
      expectRecovered(run);
      expect(run.stdout).toMatch(/payments: 30\/30 \(\d+ updates, acked by 1 monitor;/);
      expect(row(run, 'monitors')).toBe('m1, m2 (quorum 1 of 2; m2 stopped before the payments)');
      expect(row(run, 'justice')).toMatch(/^[0-9a-f]{64} broadcast by monitor m1, mined/);
      await expectDropped(run);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'punishes the breach again after a reorg replaces its block',
    async () => {
      const run = await demo(['--payments', '30', '--reorg']);
      expectRecovered(run);
      expect(run.stdout).toMatch(/reorg: invalidated blocks/);
      expect(run.stdout).toMatch(/reorg: m1 and m2 followed the new chain/);
      expect(row(run, 'reorg')).toMatch(/^the breach block \d+ was replaced by [0-9a-f]{64}/);
      expect(row(run, 'justice')).toMatch(/^[0-9a-f]{64} broadcast by monitors m1 and m2\b/);
      // The breach and the justice are mined again on the new chain, one block apart.
      const mined = [...run.stdout.matchAll(/justice mined in block (\d+)/g)].map((m) => Number(m[1]));
      expect(mined).toHaveLength(2);
      expect(mined[1]).toBe(mined[0]);
      await expectDropped(run);
    },
    RUN_TIMEOUT_MS,
  );

  it('says so when no Postgres answers', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const run = await demo(['--payments', '2'], { VIGIL_TEST_PG_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no Postgres answers at/);
    expect(run.stderr).toMatch(/PGlite fallback is not implemented yet/);
  });

  it('refuses a bad flag with the usage', async () => {
    const run = await demo(['--payments', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--payments: expected an integer/);
    expect(run.stderr).toMatch(/Usage: npm run demo/);
  });
});
