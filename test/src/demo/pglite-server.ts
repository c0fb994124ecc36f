#!/usr/bin/env node
/**
 * One embedded PGlite database served over the Postgres wire protocol on loopback, for the demo
 * on a machine without Postgres (DESIGN.md "Storage"):
 *
 *   node pglite-server.js <dataDir> [port]   opens the database in `dataDir` (creating it if need
 *       be), listens on 127.0.0.1:`port` (default 0: a free port) and prints
 *       `pglite-server listening on 127.0.0.1:<port>` once it accepts connections. SIGTERM or
 *       SIGINT, or the end of standard input (whoever started it is gone), stops the server and
 *       closes the database cleanly, then exits 0.
 *   node pglite-server.js --init <dataDir>   only creates the database (initdb, some seconds) and
 *       exits, printing `pglite-server initialised`: the demo initialises one data directory and
 *       copies it for each database, since opening a copy takes under a second.
 *
 * PGlite is single-user: the server takes one connection at a time (a second is refused), so its
 * one client must use a pool of one connection.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const HOST = '127.0.0.1';
const USAGE = 'usage: pglite-server <dataDir> [port] | pglite-server --init <dataDir>';

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--init' && argv.length === 2) {
    const db = await PGlite.create(argv[1]!);
    await db.close();
    console.log('pglite-server initialised');
    return;
  }
  const [dataDir, portText = '0'] = argv;
  if (
    dataDir === undefined ||
    dataDir.startsWith('-') ||
    argv.length > 2 ||
    !/^\d+$/.test(portText) ||
    Number(portText) > 65_535
  ) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: HOST, port: Number(portText) });
  await server.start();
  const stop = once(async (why: string) => {
    console.log(`pglite-server stopping (${why})`);
    await server.stop();
    await db.close();
    console.log('pglite-server stopped');
  });
  const exit = (why: string) =>
    stop(why).then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`pglite-server: stopping failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  process.once('SIGTERM', () => void exit('SIGTERM'));
  process.once('SIGINT', () => void exit('SIGINT'));
  process.stdin.once('end', () => void exit('standard input closed'));
  process.stdin.resume();
  console.log(`pglite-server listening on ${server.getServerConn()} (data directory ${dataDir})`);
}

function once<A>(run: (arg: A) => Promise<void>): (arg: A) => Promise<void> {
  let running: Promise<void> | undefined;
  return (arg) => (running ??= run(arg));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`pglite-server: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
