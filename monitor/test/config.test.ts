/**
 * vigil-monitor's configuration: defaults, file and environment (the environment winning), and
 * refusals naming the option: unknown options, bad values, TLS missing off loopback.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.js';
import { DEFAULT_LIMITS } from '../src/service/limits.js';
import { keys, nodeIdOf } from './support/harness.js';

const url = 'postgres://monitor:secret@db.example/monitor';
const alice = toHex(nodeIdOf(keys.alice));
const bob = toHex(nodeIdOf(keys.bob));

function expectRefused(fn: () => unknown, field: string, problem: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  expect((caught as ValidationError).field).toBe(field);
  expect((caught as ValidationError).problem).toMatch(problem);
}

describe('config', () => {
  it('has defaults for everything but the database URL', () => {
    const config = parseConfig(undefined, 'environment', { VIGIL_MONITOR_DATABASE_URL: url });
    expect(config).toEqual({
      databaseUrl: url,
      databaseMaxConnections: 10,
      listen: '127.0.0.1:50051',
      tls: undefined,
      mode: 'self-hosted',
      allowlist: [],
      limits: DEFAULT_LIMITS,
      helloWindowMs: 60_000,
      helloTimeoutMs: 10_000,
      compactionIntervalMs: 60_000,
      updateLogRetain: 1000,
      shutdownGraceMs: 10_000,
      logLevel: 'info',
    });
  });

  it('reads a JSON file, with the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-monitor-config-'));
    const file = join(dir, 'monitor.json');
    writeFileSync(
      file,
      JSON.stringify({
        databaseUrl: url,
        listen: '0.0.0.0:7000',
        tls: { certFile: '/tls/cert.pem', keyFile: '/tls/key.pem', clientCaFile: '/tls/ca.pem' },
        allowlist: [alice],
        limits: { maxFrameBytes: 1_000_000, maxStoredBytesPerTenant: '9007199254740993' },
        compaction: { retainUpdates: 50 },
      }),
    );
    const config = loadConfig(file, {
      VIGIL_MONITOR_ALLOWLIST: `${alice}, ${bob}`,
      VIGIL_MONITOR_LOG_LEVEL: 'debug',
    });
    expect(config.listen).toBe('0.0.0.0:7000');
    expect(config.tls).toEqual({
      certFile: '/tls/cert.pem',
      keyFile: '/tls/key.pem',
      clientCaFile: '/tls/ca.pem',
    });
    expect(config.allowlist.map(toHex)).toEqual([alice, bob]);
    expect(config.limits).toEqual({
      ...DEFAULT_LIMITS,
      maxFrameBytes: 1_000_000,
      maxStoredBytesPerTenant: 9007199254740993n,
    });
    expect([config.updateLogRetain, config.logLevel]).toEqual([50, 'debug']);
  });

  it('requires TLS to listen off loopback', () => {
    const env = { VIGIL_MONITOR_DATABASE_URL: url, VIGIL_MONITOR_LISTEN: '0.0.0.0:50051' };
    expectRefused(
      () => parseConfig(undefined, 'environment', env),
      'tls',
      /is required to listen on 0\.0\.0\.0:50051/,
    );
    for (const listen of ['127.0.0.1:1', 'localhost:1', '[::1]:1']) {
      expect(
        parseConfig(undefined, 'environment', { ...env, VIGIL_MONITOR_LISTEN: listen }).tls,
      ).toBeUndefined();
    }
  });

  it('refuses unknown options, bad values and contradictions, naming them', () => {
    const env = { VIGIL_MONITOR_DATABASE_URL: url };
    expectRefused(
      () => parseConfig({ limits: { maxFrames: 1 } }, 'monitor.json', env),
      'monitor.json: limits.maxFrames',
      /is not an option/,
    );
    expectRefused(() => parseConfig({}, 'monitor.json', {}), 'databaseUrl', /is required/);
    expectRefused(
      () => parseConfig(undefined, 'environment', { ...env, VIGIL_MONITOR_MAX_UPDATES_IN_FLIGHT: 'ten' }),
      'VIGIL_MONITOR_MAX_UPDATES_IN_FLIGHT',
      /expected an integer in \[1, 1000000\], got "ten"/,
    );
    expectRefused(
      () => parseConfig({ mode: 'shared' }, 'monitor.json', env),
      'monitor.json: mode',
      /expected one of self-hosted, provider/,
    );
    expectRefused(
      () => parseConfig({ allowlist: ['02ff'] }, 'm.json', env),
      'm.json: allowlist[0]',
      /expected 33 bytes/,
    );
    expectRefused(
      () => parseConfig({ tls: { certFile: '/c.pem' } }, 'm.json', env),
      'tls',
      /needs both certFile and keyFile/,
    );
    expectRefused(
      () => parseConfig({ mode: 'provider', allowlist: [alice] }, 'm.json', env),
      'allowlist',
      /is for self-hosted mode/,
    );
  });
});
