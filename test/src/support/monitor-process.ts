/**
 * The real `vigil-monitor` process (the built monitor/dist/cli.js, run by node) for tests: started
 * with a config file and environment, its JSON log lines collected (and, when asked, also written
 * to a file as they come), its port read from its "serving" line, and stopped by signal.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';

const REPO = new URL('../../../', import.meta.url).pathname;
export const CLI = `${REPO}monitor/dist/cli.js`;
const START_TIMEOUT_MS = 30_000;

/** Builds the monitor (and what it depends on) so the process runs the current sources. */
export async function buildMonitor(): Promise<void> {
  await promisify(execFile)(`${REPO}node_modules/.bin/tsc`, ['-b', 'monitor'], { cwd: REPO });
}

export type Env = Record<string, string>;

export interface MonitorProcess {
  readonly port: number;
  /** The monitor id from the serving line, hex. */
  readonly monitorId: string;
  /** Every JSON log line so far. */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function collectLines(child: ChildProcess, lines: Record<string, unknown>[], onLine: () => void): void {
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete)
      if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    onLine();
  });
}

export interface SpawnOptions {
  /** A file that receives everything the process writes (standard output and error), appended. */
  readonly logFile?: string;
}

export function spawnMonitor(
  args: readonly string[],
  env: Env,
  options: SpawnOptions = {},
): Promise<MonitorProcess> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
  if (options.logFile !== undefined) {
    const file = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.on('close', () => file.end());
  }
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`vigil-monitor did not start: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    void exited.then(({ code }) => reject(new Error(`vigil-monitor exited with ${code}: ${stderr}`)));
    collectLines(child, lines, () => {
      const serving = lines.find((line) => line['msg'] === 'vigil-monitor serving');
      if (serving === undefined) return;
      clearTimeout(timer);
      resolve({
        port: serving['port'] as number,
        monitorId: serving['monitorId'] as string,
        lines,
        exited,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** Runs a CLI command to completion. */
export async function runCli(
  args: readonly string[],
  env: Env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr }),
    ),
  );
}
