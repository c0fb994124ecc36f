/**
 * TLS on the monitor's port (DESIGN.md rule 1): a server certificate, and with a client CA
 * configured, client certificates required. Certificates are made with the openssl command for
 * this test: a CA, a server certificate for localhost and a client certificate, both from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { createClient } from '@vigil/proto/grpc-bridge';
import { toHex } from '@vigil/shared/bytes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, keys, startHarness } from './support/harness.js';
import { helloFrame, openSession } from './support/session-client.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-monitor-tls-'));
const path = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A key and a certificate for `name` signed by the test CA, with `extensions` (an openssl extfile). */
function issue(name: string, extensions: string): void {
  openssl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(path(`${name}.ext`), extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  );
}

let harness: Harness;
const read = (name: string) => readFileSync(path(name));

beforeAll(async () => {
  openssl(
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=vigil test CA',
  );
  issue('server', 'subjectAltName=DNS:localhost\n');
  issue('client', 'extendedKeyUsage=clientAuth\n');
  harness = await startHarness({
    tls: { certFile: path('server.crt'), keyFile: path('server.key'), clientCaFile: path('ca.crt') },
  });
});

afterAll(async () => {
  await harness.close();
});

const withClientCertificate = () =>
  grpc.credentials.createSsl(read('ca.crt'), read('client.key'), read('client.crt'));
/** The server certificate names localhost; the tests connect to 127.0.0.1. */
const options = { 'grpc.ssl_target_name_override': 'localhost' };

describe('TLS', () => {
  it('serves a client that trusts the server certificate and presents its own', async () => {
    const client = createClient(pb.MonitorService, harness.address, withClientCertificate(), options);
    expect(toHex((await client.getStatus({})).monitorId)).toBe(toHex(harness.monitor.monitorId));
    client.channel.close();
    const session = openSession(harness.address, withClientCertificate(), options);
    session.write(helloFrame(keys.alice, harness.monitor.monitorId));
    expect(toHex((await session.nextOf('welcome')).monitorId)).toBe(toHex(harness.monitor.monitorId));
    session.dispose();
  });

  it('refuses a client without a certificate, and a plaintext client', async () => {
    for (const credentials of [
      grpc.credentials.createSsl(read('ca.crt')),
      grpc.credentials.createInsecure(),
    ]) {
      const client = createClient(pb.MonitorService, harness.address, credentials, options);
      await expect(client.getStatus({}, { deadline: Date.now() + 3000 })).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
      client.channel.close();
    }
  });
});
