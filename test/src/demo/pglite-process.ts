/**
 * The demo's `pglite-server` processes (the built test/dist/demo/pglite-server.js, run by node):
 * one initialises a data directory and exits; the others each serve one database on a free
 * loopback port, their output appended to a log file, their port read from their start-up line,
 * and stopped by SIGTERM. Their standard input stays open: if the demo dies without stopping them,
 * it closes and they stop on their own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const REPO = new URL('../../../', import.meta.url).pathname;
export const PGLITE_SERVER = `${REPO}test/dist/demo/pglite-server.js`;
/** Initialising a data directory takes ~5 s alone, several times that on a busy machine. */
const INIT_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;
/** After SIGTERM, how long the server has to close its database before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

export interface PgliteProcess {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly pid: number;
  /** Resolves with the exit code once the process exited, for whatever reason. */
  readonly exited: Promise<number | null>;
  /** Sends SIGTERM and waits for the process to exit (it closes the database first). */
  stop(): Promise<void>;
}

/** Creates a PGlite database in `dataDir` (which must not exist yet or be empty). */
export async function initPgliteDataDir(dataDir: string, logFile: string): Promise<void> {
  const { child, exited } = start(['--init', dataDir], logFile);
  const timer = setTimeout(() => child.kill('SIGTERM'), INIT_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(
      `pglite-server --init ${dataDir} ${code === null ? `did not finish within ${INIT_TIMEOUT_MS / 1000} s` : `exited with ${code}`} (log: ${logFile})`,
    );
  }
}

/** Serves the PGlite database in `dataDir`; resolves once it accepts connections. */
export function spawnPglite(dataDir: string, logFile: string): Promise<PgliteProcess> {
  const { child, exited } = start([dataDir], logFile);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`pglite-server did not start within ${START_TIMEOUT_MS / 1000} s (log: ${logFile})`));
    }, START_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`pglite-server exited with ${code} (log: ${logFile})`));
    });
    onListening(child, (port) => {
      clearTimeout(timer);
      resolve({
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        pid: child.pid!,
        exited,
        stop: () => stop(child, exited),
      });
    });
  });
}

function start(
  args: readonly string[],
  logFile: string,
): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [PGLITE_SERVER, ...args], {
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      log.end();
      resolve(code);
    }),
  );
  return { child, exited };
}

/** Calls `onPort` with the port of the "listening on 127.0.0.1:<port>" line, once it is printed. */
function onListening(child: ChildProcess, onPort: (port: number) => void): void {
  let output = '';
  const listener = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const port = /pglite-server listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    if (port === undefined) return;
    child.stdout!.off('data', listener);
    onPort(Number(port));
  };
  child.stdout!.on('data', listener);
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
