/**
 * The `vigil-regtest` process (the built shared/dist/chain/regtest/cli.js, run by node) for the
 * demo: on a free loopback port with a fresh random RPC password, its output appended to a log
 * file, its URL read from its start-up line, and stopped by SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { RpcCredentials } from '@vigil/shared/chain/regtest/rpc-auth';

const REPO = new URL('../../../', import.meta.url).pathname;
export const REGTEST_CLI = `${REPO}shared/dist/chain/regtest/cli.js`;
const START_TIMEOUT_MS = 30_000;

export interface RegtestProcess {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly credentials: RpcCredentials;
  readonly pid: number;
  /** Resolves with the exit code once the process exited, for whatever reason. */
  readonly exited: Promise<number | null>;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Starts vigil-regtest; resolves once it serves JSON-RPC. */
export function spawnRegtest(logFile: string): Promise<RegtestProcess> {
  const credentials = { user: 'vigil-demo', password: randomBytes(16).toString('hex') };
  const child = spawn(
    process.execPath,
    [REGTEST_CLI, '--port', '0', '--rpc-user', credentials.user, '--rpc-password', credentials.password],
    { env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      log.end();
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`vigil-regtest did not start within ${START_TIMEOUT_MS / 1000} s (log: ${logFile})`));
    }, START_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vigil-regtest exited with ${code} (log: ${logFile})`));
    });
    onStartLine(child, (url) => {
      clearTimeout(timer);
      resolve({ url, credentials, pid: child.pid!, exited, stop: () => stop(child, exited) });
    });
  });
}

/** Calls `onUrl` with the URL of the "JSON-RPC on <url>" line, once it is printed. */
function onStartLine(child: ChildProcess, onUrl: (url: string) => void): void {
  let output = '';
  const listener = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const url = /JSON-RPC on (\S+)/.exec(output)?.[1];
    if (url === undefined) return;
    child.stdout!.off('data', listener);
    onUrl(url);
  };
  child.stdout!.on('data', listener);
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
