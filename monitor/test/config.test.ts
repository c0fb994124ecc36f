/**
 * vigil-monitor's configuration: defaults, file and environment (the environment winning), and
 * refusals naming the option: unknown options, bad values, TLS missing off loopback, an incomplete
 * chain section (never echoing the RPC password).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadConfig, OPTION_HELP, parseConfig } from '../src/config.js';
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
      chain: undefined,
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

describe('config: the chain section', () => {
  const env = { VIGIL_MONITOR_DATABASE_URL: url };
  const rpcUrl = 'http://127.0.0.1:18443/';

  it('is absent without chain.rpcUrl, and complete with it', () => {
    expect(parseConfig(undefined, 'environment', env).chain).toBeUndefined();
    const config = parseConfig(undefined, 'environment', {
      ...env,
      VIGIL_MONITOR_BITCOIND_URL: rpcUrl,
      VIGIL_MONITOR_BITCOIND_USER: 'vigil',
      VIGIL_MONITOR_BITCOIND_PASSWORD: 'hunter2',
      VIGIL_MONITOR_CHAIN_POLL_MS: '250',
      VIGIL_MONITOR_CHAIN_START_HEIGHT: '800000',
    });
    expect(config.chain).toEqual({
      rpcUrl,
      auth: { user: 'vigil', password: 'hunter2' },
      pollIntervalMs: 250,
      startHeight: 800_000,
    });
  });

  it('reads a cookie file from the file, with defaults for the rest', () => {
    const config = parseConfig(
      { chain: { rpcUrl, cookieFile: '/bitcoin/regtest/.cookie' } },
      'monitor.json',
      env,
    );
    expect(config.chain).toEqual({
      rpcUrl,
      auth: { cookieFile: '/bitcoin/regtest/.cookie' },
      pollIntervalMs: 1000,
    });
    // No credentials at all is allowed (a node that wants none); the node refuses otherwise.
    expect(parseConfig({ chain: { rpcUrl } }, 'monitor.json', env).chain).toEqual({
      rpcUrl,
      pollIntervalMs: 1000,
    });
  });

  it('refuses incomplete or contradictory credentials and options without a URL', () => {
    const chain = { rpcUrl };
    expectRefused(
      () => parseConfig({ chain: { ...chain, rpcUser: 'vigil' } }, 'm.json', env),
      'chain',
      /has rpcUser without rpcPassword: set both/,
    );
    expectRefused(
      () => parseConfig({ chain: { ...chain, rpcPassword: 'hunter2' } }, 'm.json', env),
      'chain',
      /has rpcPassword without rpcUser/,
    );
    expectRefused(
      () =>
        parseConfig({ chain: { ...chain, cookieFile: '/c', rpcUser: 'u', rpcPassword: 'p' } }, 'm.json', env),
      'chain',
      /takes either cookieFile \(VIGIL_MONITOR_BITCOIND_COOKIE\) or rpcUser and rpcPassword, not both/,
    );
    expectRefused(
      () => parseConfig(undefined, 'environment', { ...env, VIGIL_MONITOR_CHAIN_START_HEIGHT: '10' }),
      'chain.rpcUrl',
      /is required when other chain options are set/,
    );
    expectRefused(
      () => parseConfig({ chain: { cookieFile: '/c' } }, 'm.json', env),
      'chain.rpcUrl',
      /is required/,
    );
  });

  it('refuses bad values, never echoing a password', () => {
    expectRefused(
      () => parseConfig({ chain: { rpcUrl: 'http://vigil:hunter2@127.0.0.1:18443/' } }, 'm.json', env),
      'm.json: chain.rpcUrl',
      /must not contain credentials/,
    );
    expectRefused(
      () => parseConfig({ chain: { rpcUrl: 'ftp://127.0.0.1/' } }, 'm.json', env),
      'm.json: chain.rpcUrl',
      /expected an http:\/\/ or https:\/\/ URL, got ftp:/,
    );
    expectRefused(
      () => parseConfig(undefined, 'environment', { ...env, VIGIL_MONITOR_BITCOIND_URL: 'not a url' }),
      'VIGIL_MONITOR_BITCOIND_URL',
      /expected an http:\/\/ or https:\/\/ URL/,
    );
    expectRefused(
      () =>
        parseConfig(undefined, 'environment', {
          ...env,
          VIGIL_MONITOR_BITCOIND_URL: rpcUrl,
          VIGIL_MONITOR_CHAIN_POLL_MS: '5',
        }),
      'VIGIL_MONITOR_CHAIN_POLL_MS',
      /expected an integer in \[10, 3600000\]/,
    );
    let caught: unknown;
    try {
      parseConfig({ chain: { rpcUrl, rpcUser: 'vigil', rpcPassword: 31_415_926 } }, 'm.json', env);
    } catch (e) {
      caught = e;
    }
    expect((caught as ValidationError).message).toBe(
      'm.json: chain.rpcPassword: expected a non-empty string, got number',
    );
  });

  it('lists every chain option in the help', () => {
    for (const variable of [
      'VIGIL_MONITOR_BITCOIND_URL',
      'VIGIL_MONITOR_BITCOIND_COOKIE',
      'VIGIL_MONITOR_BITCOIND_USER',
      'VIGIL_MONITOR_BITCOIND_PASSWORD',
      'VIGIL_MONITOR_CHAIN_POLL_MS',
      'VIGIL_MONITOR_CHAIN_START_HEIGHT',
    ])
      expect(OPTION_HELP).toContain(variable);
  });
});
