#!/usr/bin/env node
/**
 * Asks a vigil-monitor's standard gRPC health service (grpc.health.v1.Health/Check, service "")
 * whether it is SERVING: exit 0 if so, 1 otherwise, with one line saying why. It is the image's
 * HEALTHCHECK and the Kubernetes exec probe: the kubelet's built-in `grpc` probe only speaks
 * plaintext, and a monitor listening beyond loopback only speaks TLS (monitor/src/config.ts).
 *
 *   node deploy/grpc-health-check.mjs [--tls | --plaintext] [host:port]
 *
 * Address: the argument, else VIGIL_MONITOR_LISTEN with a wildcard host (0.0.0.0, [::]) replaced by
 * loopback, else 127.0.0.1:50051 (the monitor's default).
 * TLS: on when VIGIL_MONITOR_TLS_CERT is set, as for the monitor itself (--tls / --plaintext
 * override it, for a monitor configured by file). The server certificate is not verified: the probe
 * talks to its own container and sends nothing secret. When the monitor requires client
 * certificates (VIGIL_MONITOR_TLS_CLIENT_CA), set VIGIL_HEALTHCHECK_TLS_CERT and
 * VIGIL_HEALTHCHECK_TLS_KEY to a client certificate and key that CA accepts.
 * VIGIL_HEALTHCHECK_TIMEOUT_MS: the deadline of the call (default 3000).
 *
 * The monitor reports SERVING from start-up until shutdown begins; it does not reflect whether its
 * database or bitcoind answer (those failures are in its logs).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';

const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const env = process.env;

function fail(message) {
  console.error(`grpc-health-check: ${message}`);
  process.exit(1);
}

function defaultAddress() {
  const listen = env.VIGIL_MONITOR_LISTEN || '127.0.0.1:50051';
  const port = listen.slice(listen.lastIndexOf(':') + 1);
  const host = listen.slice(0, listen.lastIndexOf(':'));
  if (host === '0.0.0.0') return `127.0.0.1:${port}`;
  if (host === '[::]') return `[::1]:${port}`;
  return listen;
}

function credentials(tls) {
  if (!tls) return grpc.credentials.createInsecure();
  const certFile = env.VIGIL_HEALTHCHECK_TLS_CERT;
  const keyFile = env.VIGIL_HEALTHCHECK_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    fail('set both VIGIL_HEALTHCHECK_TLS_CERT and VIGIL_HEALTHCHECK_TLS_KEY, or neither');
  }
  return grpc.credentials.createSsl(
    null,
    keyFile === undefined ? null : readFileSync(keyFile),
    certFile === undefined ? null : readFileSync(certFile),
    { rejectUnauthorized: false, checkServerIdentity: () => undefined },
  );
}

/** HealthCheckResponse: field 1, `status`, a varint (absent: 0, UNKNOWN). */
function servingStatus(bytes) {
  let status = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i++] !== 0x08) throw new Error('unexpected field in HealthCheckResponse');
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (i >= bytes.length || shift > 28) throw new Error('truncated HealthCheckResponse');
      const byte = bytes[i++];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
    }
    status = value;
  }
  return status;
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: { tls: { type: 'boolean' }, plaintext: { type: 'boolean' } },
  });
} catch (e) {
  fail(e.message);
}
const address = args.positionals[0] ?? defaultAddress();
const tls = args.values.tls ?? (args.values.plaintext ? false : Boolean(env.VIGIL_MONITOR_TLS_CERT));
const timeoutMs = Number(env.VIGIL_HEALTHCHECK_TIMEOUT_MS || 3000);

// With verification off the name only avoids Node's warning about an IP address as TLS server name.
const client = new grpc.Client(
  address,
  credentials(tls),
  tls ? { 'grpc.ssl_target_name_override': 'localhost' } : {},
);
client.makeUnaryRequest(
  '/grpc.health.v1.Health/Check',
  (request) => request,
  (response) => response,
  Buffer.alloc(0), // HealthCheckRequest { service: "" }: the server as a whole.
  { deadline: Date.now() + timeoutMs },
  (error, response) => {
    client.close();
    if (error) fail(`${address} (${tls ? 'TLS' : 'plaintext'}): ${error.message}`);
    let status;
    try {
      status = servingStatus(response);
    } catch (e) {
      fail(`${address}: ${e.message}`);
    }
    const name = STATUS[status] ?? String(status);
    if (status !== 1) fail(`${address}: ${name}`);
    console.log(`grpc-health-check: ${address}: ${name}`);
    process.exit(0);
  },
);
