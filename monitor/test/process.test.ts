/**
 * The real `vigil-monitor` process over a real socket and a real database: configured by file
 * and environment, serving sessions, shutting down gracefully on SIGTERM and resuming from its
 * database; and `vigil-monitor tenants add|list|remove` admitting provider-mode tenants.
 *
 * Runs the built JavaScript (monitor/dist/cli.js); `beforeAll` runs `tsc -b monitor` first so the
 * process is never older than the sources (in CI, `npm run build` already did).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { createClient } from '@vigil/proto/grpc-bridge';
import { toHex } from '@vigil/shared/bytes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '@vigil/shared/monitor-model/receipt';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { channelIdOf, initOf, updateOf, updatesOf } from '@vigil/test/fixtures/channel-series';
import { keys, nodeIdOf } from './support/harness.js';
import { buildMonitor, type Env, runCli, spawnMonitor } from '@vigil/test/support/monitor-process';
import {
  connect,
  helloFrame,
  openSession,
  send,
  updateFrame,
  watchInitFrame,
} from './support/session-client.js';

let database: TestDatabase;
let configFile: string;
const channel = channelIdOf(1);
const alice = toHex(nodeIdOf(keys.alice));
const bob = toHex(nodeIdOf(keys.bob));

beforeAll(async () => {
  await buildMonitor();
  database = await createTestDatabase('vigil_monitor_process');
  configFile = join(mkdtempSync(join(tmpdir(), 'vigil-monitor-')), 'monitor.json');
  writeFileSync(
    configFile,
    JSON.stringify({ databaseUrl: database.url, listen: '127.0.0.1:0', allowlist: [alice] }),
  );
}, 180_000);

afterAll(async () => {
  await database.drop();
});

const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('vigil-monitor (self-hosted)', () => {
  let receipt6: Uint8Array;

  it('serves sessions, GetStatus and health; SIGTERM ends sessions with UNAVAILABLE and exits 0', async () => {
    const monitor = await spawnMonitor(['--config', configFile], { VIGIL_MONITOR_LOG_LEVEL: 'debug' });
    const address = `127.0.0.1:${monitor.port}`;
    const client = createClient(pb.MonitorService, address, grpc.credentials.createInsecure());
    const status = await client.getStatus({});
    expect([toHex(status.monitorId), pb.TenantMode[status.mode]]).toEqual([monitor.monitorId, 'SELF_HOSTED']);
    client.channel.close();
    const health = createClient(pb.Health, address, grpc.credentials.createInsecure());
    expect((await health.check({ service: '' })).status).toBe(pb.HealthCheckResponse_ServingStatus.SERVING);
    health.channel.close();

    const monitorId = fromHex(monitor.monitorId);
    const { session } = await connect(address, keys.alice, monitorId);
    expect(pb.UpdateStatus[(await send(session, watchInitFrame(initOf(channel)))).status]).toBe('PERSISTED');
    for (const update of updatesOf(channel, 1, 6)) {
      const ack = await send(session, updateFrame(update));
      const fields = {
        nodeId: nodeIdOf(keys.alice),
        channelId: channel,
        updateId: ack.updateId,
        stateHash: ack.stateHash,
      };
      expect(verifyReceipt(monitorId, fields, ack.receipt)).toBe(true);
      receipt6 = ack.receipt;
    }
    const exit = monitor.stop('SIGTERM');
    expect(await session.expectEnd(grpc.status.UNAVAILABLE)).toMatch(/^the monitor is shutting down/);
    expect(await exit).toEqual({ code: 0, signal: null });
    const messages = monitor.lines.map((line) => line['msg']);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'vigil-monitor stopped']));
    expect(
      monitor.lines.some(
        (l) => l['channelId'] === toHex(channel) && l['updateId'] === '6' && l['tenant'] === alice,
      ),
    ).toBe(true);
  });

  it('resumes from its database after a restart', async () => {
    const monitor = await spawnMonitor(['--config', configFile], {});
    const address = `127.0.0.1:${monitor.port}`;
    const { session, welcome } = await connect(address, keys.alice, fromHex(monitor.monitorId));
    expect(welcome.channels.map((c) => [toHex(c.channelId), c.latestUpdateId])).toEqual([
      [toHex(channel), 6n],
    ]);
    expect(toHex((await send(session, updateFrame(updateOf(channel, 6)))).receipt)).toBe(toHex(receipt6));
    session.dispose();
    expect(await monitor.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('refuses to start with a bad configuration, naming the option', async () => {
    const result = await runCli(['--config', configFile], { VIGIL_MONITOR_LISTEN: '0.0.0.0:0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^vigil-monitor: tls: is required to listen on 0\.0\.0\.0:0, which is not a loopback address/,
    );
  });
});

describe('vigil-monitor tenants (provider mode)', () => {
  const provider = (): Env => ({
    VIGIL_MONITOR_DATABASE_URL: database.url,
    VIGIL_MONITOR_LISTEN: '127.0.0.1:0',
    VIGIL_MONITOR_MODE: 'provider',
  });

  it('adds, lists and removes tenants; only registered ones get a session', async () => {
    const added = await runCli(['tenants', 'add', bob, '--label', 'bob', '--max-channels', '1'], provider());
    expect([added.code, added.stdout]).toEqual([0, `${JSON.stringify({ added: bob })}\n`]);
    const listed = await runCli(['tenants', 'list'], provider());
    expect(JSON.parse(listed.stdout)).toEqual({
      nodeId: bob,
      label: 'bob',
      limits: { maxChannels: 1 },
      usage: { channels: 0, storedBytes: '0' },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
    });

    const monitor = await spawnMonitor([], provider());
    const address = `127.0.0.1:${monitor.port}`;
    const monitorId = fromHex(monitor.monitorId);
    const { session, welcome } = await connect(address, keys.bob, monitorId);
    expect(welcome.limits?.maxChannels).toBe(1);
    expect(pb.UpdateStatus[(await send(session, watchInitFrame(initOf(channel)))).status]).toBe('PERSISTED');
    const second = await send(session, watchInitFrame(initOf(channelIdOf(2))));
    expect(second.detail).toBe('quota.channels: the tenant has 1 of at most 1 channels');
    session.dispose();
    const refused = openSession(address);
    refused.write(helloFrame(keys.alice, monitorId));
    expect(await refused.expectEnd(grpc.status.PERMISSION_DENIED)).toBe(
      `hello.nodeId: ${alice} is not a tenant of this monitor`,
    );
    refused.dispose();
    expect(await monitor.stop()).toEqual({ code: 0, signal: null });

    expect((await runCli(['tenants', 'remove', bob], provider())).stdout).toBe(
      `${JSON.stringify({ removed: bob })}\n`,
    );
    const again = await runCli(['tenants', 'remove', bob], provider());
    expect([again.code, again.stderr]).toEqual([
      1,
      `vigil-monitor: node-id: ${bob} is not a tenant\n(see vigil-monitor --help)\n`,
    ]);
    expect((await runCli(['tenants', 'list'], provider())).stdout).toBe('');
  });
});
