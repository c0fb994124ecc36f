#!/usr/bin/env node
/**
 * `vigil-regtest`: runs the in-memory regtest node and its JSON-RPC server until SIGINT, SIGTERM or
 * the `stop` RPC, then closes the server and deletes the cookie file. Prints the RPC URL (never a
 * password) on start. Options: see cli-options.ts or `vigil-regtest --help`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VigilError } from '../../errors.js';
import { parseCliOptions, USAGE } from './cli-options.js';
import { startRegtest, type RunningRegtest } from './start.js';

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const cookieFile = options.rpc.auth?.cookieFile;
  if (cookieFile !== undefined) await mkdir(dirname(cookieFile), { recursive: true });
  // Replaced below once the server runs; a stop request cannot arrive before that.
  let shutdown = (_why: string): void => {};
  const running = await startRegtest({
    ...options.node,
    rpc: { ...options.rpc, onStopRequested: () => shutdown('stop RPC') },
  });
  shutdown = stopOnce(running);
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const auth = cookieFile !== undefined ? `cookie file ${cookieFile}` : `user ${running.credentials.user}`;
  console.log(`vigil-regtest: JSON-RPC on ${running.url} (${auth}), chain height ${running.node.tip.height}`);
}

/** A shutdown that runs once: closes the server (deleting the cookie file) and reports it. */
function stopOnce(running: RunningRegtest): (why: string) => void {
  let stopping = false;
  return (why) => {
    if (stopping) return;
    stopping = true;
    console.log(`vigil-regtest: stopping (${why})`);
    running.stop().then(
      () => console.log('vigil-regtest: stopped'),
      (e: unknown) => {
        console.error(`vigil-regtest: error while stopping: ${String(e)}`);
        process.exitCode = 1;
      },
    );
  };
}

main().catch((e: unknown) => {
  const message = e instanceof VigilError ? `${e.message}\n\n${USAGE}` : String(e);
  console.error(`vigil-regtest: ${message}`);
  process.exitCode = 1;
});
