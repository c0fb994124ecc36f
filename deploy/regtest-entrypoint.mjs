#!/usr/bin/env node
/**
 * vigil-regtest in a container. vigil-regtest serves JSON-RPC on 127.0.0.1 only (it has no bind
 * option), which nothing outside the container can reach, so this runs it on a loopback port
 * (VIGIL_REGTEST_INTERNAL_PORT, default 18442) and forwards every TCP connection to
 * VIGIL_REGTEST_BIND (default 0.0.0.0) on the public port to it.
 *
 *   node deploy/regtest-entrypoint.mjs [--port <public port, default 18443>] [vigil-regtest flags]
 *
 * Every other argument goes to vigil-regtest (`--help` lists them). SIGTERM and SIGINT are passed
 * on; the container exits with vigil-regtest (also after the `stop` RPC).
 */
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath, URL } from 'node:url';

const CLI = fileURLToPath(new URL('../shared/dist/chain/regtest/cli.js', import.meta.url));
const env = process.env;
const internalPort = Number(env.VIGIL_REGTEST_INTERNAL_PORT || 18442);
const bindHost = env.VIGIL_REGTEST_BIND || '0.0.0.0';

let publicPort = 18443;
const args = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port') publicPort = Number(argv[++i]);
  else if (argv[i].startsWith('--port=')) publicPort = Number(argv[i].slice('--port='.length));
  else args.push(argv[i]);
}
if (!Number.isInteger(publicPort) || publicPort < 1 || publicPort > 65_535 || publicPort === internalPort) {
  console.error(`regtest-entrypoint: --port must be in [1, 65535] and differ from ${internalPort}`);
  process.exit(2);
}

const child = spawn(process.execPath, [CLI, ...args, '--port', String(internalPort)], { stdio: 'inherit' });

const proxy = createServer((socket) => {
  const upstream = connect(internalPort, '127.0.0.1');
  const close = () => {
    socket.destroy();
    upstream.destroy();
  };
  socket.on('error', close);
  upstream.on('error', close);
  socket.pipe(upstream).pipe(socket);
});
proxy.on('error', (e) => {
  console.error(`regtest-entrypoint: cannot listen on ${bindHost}:${publicPort}: ${e.message}`);
  child.kill('SIGTERM');
  process.exitCode = 1;
});
if (!args.includes('--help')) {
  proxy.listen(publicPort, bindHost, () =>
    console.log(`regtest-entrypoint: forwarding ${bindHost}:${publicPort} to 127.0.0.1:${internalPort}`),
  );
}

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  proxy.close();
  process.exit(code ?? (signal === null ? 1 : 128));
});
