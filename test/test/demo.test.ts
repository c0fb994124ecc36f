/**
 * `npm run demo` end to end (issue 7): the built demo (test/dist/demo/cli.js) run as a child
 * process, as the README's first command runs it, with fewer payments to keep the suite fast:
 * by default, with monitor 2 down, and with a reorg of the breach block, on the local Postgres;
 * then on embedded PGlite databases, forced by `--pglite` and as the fallback when no Postgres
 * answers. Each run must exit 0 (the victim got its funds back), print the summary, and leave no
 * database behind.
 */
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
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
  /** What the run left in its log directory. */
  readonly logDirEntries: readonly string[];
}

/** Runs the built demo with `args`; resolves with its exit code and output, its logs removed. */
async function demo(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const run = await runCli(args, env);
  const logDir = /logs in (\S+)/.exec(run.stdout)?.[1];
  if (logDir === undefined) return { ...run, logDirEntries: [] };
  const logDirEntries = (await readdir(logDir)).sort();
  await rm(logDir, { recursive: true, force: true });
  return { ...run, logDirEntries };
}

function runCli(args: readonly string[], env: Record<string, string>): Promise<Omit<Run, 'logDirEntries'>> {
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
function expectRecovered(run: Run, payments = 30): void {
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
  expect(row(run, 'states')).toMatch(
    new RegExp(`^\\d+ commitments: ${payments} payments, \\d+ monitor updates`),
  );
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
      expect(run.stdout).toMatch(/\] databases: local Postgres \(/);
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

  /** A PGlite run's checks: one pglite-server per database, each data directory removed at the end. */
  function expectPglite(run: Run): void {
    expect(run.stdout).toMatch(/databases up: 3 pglite-server processes/);
    for (const id of ['m1', 'm2', 'manager'])
      expect(run.stdout).toMatch(new RegExp(`database \\S+/pglite-${id}\\)`));
    expect(databasesOf(run)).toEqual([]);
    expect(run.logDirEntries.filter((entry) => !entry.endsWith('.log'))).toEqual([]);
  }

  it(
    'punishes the breach on embedded PGlite databases with --pglite',
    async () => {
      const run = await demo(['--payments', '10', '--pglite']);
      expectRecovered(run, 10);
      expect(run.stdout).toMatch(/\] databases: embedded PGlite \(--pglite\)$/m);
      expect(run.stdout).toMatch(/payments: 10\/10 \(\d+ updates, acked by 2 monitors/);
      expect(row(run, 'monitors')).toBe('m1, m2 (quorum 2 of 2)');
      expect(row(run, 'justice')).toMatch(/^[0-9a-f]{64} broadcast by monitors m1 and m2\b/);
      expectPglite(run);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'falls back to embedded PGlite databases when no Postgres answers',
    async () => {
      const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
      const run = await demo(['--payments', '5'], { VIGIL_TEST_PG_URL: url });
      expectRecovered(run, 5);
      expect(run.stdout).toContain(`] databases: embedded PGlite (no Postgres at ${url}: `);
      expectPglite(run);
    },
    RUN_TIMEOUT_MS,
  );

  it('refuses a bad flag with the usage', async () => {
    const run = await demo(['--payments', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--payments: expected an integer/);
    expect(run.stderr).toMatch(/Usage: npm run demo/);
  });
});
