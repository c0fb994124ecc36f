/**
 * vigil-monitor's configuration: a JSON file (optional) and environment variables, the variable
 * winning where both set an option. Every option, its file path, variable and default is in
 * OPTIONS below and in `vigil-monitor --help`. A bad or unknown option fails start-up naming it.
 *
 * TLS is required unless the listen address is loopback (DESIGN.md rule 1): tenants' channel
 * secrets cross this connection.
 *
 * The chain section is optional: without `chain.rpcUrl` the monitor stores and acks updates but
 * enforces nothing (it says so in a warning at start-up). The RPC password is never echoed, in
 * errors or logs.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '@vigil/shared/bytes';
import { validatePubkey } from '@vigil/shared/bitcoin/secp256k1';
import { ValidationError } from '@vigil/shared/errors';
import type { RpcAuth } from '@vigil/shared/chain/rpc-client';
import { LOG_LEVELS, type LogLevel } from '@vigil/shared/log/logger';
import { DEFAULT_LIMITS, type Limits } from './service/limits.js';
import type { TenantMode } from './service/tenants.js';

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCaFile?: string;
}

/** The bitcoind (or vigil-regtest) JSON-RPC connection that enforcement follows the chain through. */
export interface ChainConfig {
  /** `http(s)://host:port/`, without credentials. */
  readonly rpcUrl: string;
  /** A cookie file or a user and password; none: the node must accept unauthenticated calls. */
  readonly auth?: RpcAuth;
  /** Time between the end of one poll of the node and the start of the next. */
  readonly pollIntervalMs: number;
  /** With no stored chain position: the first block to process; absent, the tip at first start. */
  readonly startHeight?: number;
}

export interface MonitorConfig {
  readonly databaseUrl: string;
  readonly databaseMaxConnections: number;
  /** `host:port`; port 0 picks a free one. */
  readonly listen: string;
  readonly tls: TlsConfig | undefined;
  readonly mode: TenantMode;
  /** Self-hosted mode: the node ids admitted. */
  readonly allowlist: readonly Uint8Array[];
  readonly limits: Limits;
  readonly helloWindowMs: number;
  readonly helloTimeoutMs: number;
  readonly compactionIntervalMs: number;
  /** Update log entries kept per channel by compaction (at least 1). */
  readonly updateLogRetain: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
  /** Undefined: no chain connection, so no enforcement. */
  readonly chain: ChainConfig | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;
/** Parses an option's value, from the file (any JSON value) or the environment (a string). */
export type Parser<T> = (raw: unknown, name: string) => T;

const INT32_MAX = 2 ** 31 - 1;

export function integer(min: number, max: number): Parser<number> {
  return (raw, name) => {
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ValidationError(name, `expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** A byte count up to 2^63-1: a JSON integer, or a decimal string for values past 2^53. */
export const byteCount: Parser<bigint> = (raw, name) => {
  const text = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text) || BigInt(text) > (1n << 63n) - 1n) {
    throw new ValidationError(name, `expected a byte count in [0, 2^63-1], got ${JSON.stringify(raw)}`);
  }
  return BigInt(text);
};

const text: Parser<string> = (raw, name) => {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new ValidationError(name, `expected a non-empty string, got ${JSON.stringify(raw)}`);
  }
  return raw;
};

/** Like `text`, but a bad value is never echoed: it may be a password. */
const secret: Parser<string> = (raw, name) => {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new ValidationError(
      name,
      `expected a non-empty string, got ${raw === '' ? 'an empty one' : typeof raw}`,
    );
  }
  return raw;
};

/** An http(s) URL with no credentials in it (they go in their own options, which are not logged). */
const rpcUrl: Parser<string> = (raw, name) => {
  const value = text(raw, name);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(name, 'expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(name, `expected an http:// or https:// URL, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError(
      name,
      'must not contain credentials: use chain.rpcUser and chain.rpcPassword, or chain.cookieFile',
    );
  }
  return value;
};

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw, name) => {
    if (!values.includes(raw as T)) {
      throw new ValidationError(name, `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  };
}

/** Node ids in hex: a JSON array, or a comma-separated list in the environment. */
const nodeIds: Parser<Uint8Array[]> = (raw, name) => {
  const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(items)) throw new ValidationError(name, 'expected a list of node ids in hex');
  return items.map((item: unknown, i) => {
    const field = `${name}[${i}]`;
    return validatePubkey(fromHex(text(item, field), field), field);
  });
};

/** `host:port` or `[ipv6]:port`. */
const listenAddress: Parser<string> = (raw, name) => {
  const address = text(raw, name);
  if (
    !/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/.test(address) ||
    Number(address.split(':').pop()) > 65_535
  ) {
    throw new ValidationError(name, `expected host:port, got ${JSON.stringify(address)}`);
  }
  return address;
};

function isLoopback(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Every option: where it is in the file, its variable, its parser and default (absent: required). */
const OPTIONS = {
  databaseUrl: { env: 'VIGIL_MONITOR_DATABASE_URL', parse: text },
  databaseMaxConnections: {
    env: 'VIGIL_MONITOR_DATABASE_MAX_CONNECTIONS',
    parse: integer(1, 1000),
    default: 10,
  },
  listen: { env: 'VIGIL_MONITOR_LISTEN', parse: listenAddress, default: '127.0.0.1:50051' },
  'tls.certFile': { env: 'VIGIL_MONITOR_TLS_CERT', parse: text },
  'tls.keyFile': { env: 'VIGIL_MONITOR_TLS_KEY', parse: text },
  'tls.clientCaFile': { env: 'VIGIL_MONITOR_TLS_CLIENT_CA', parse: text },
  mode: {
    env: 'VIGIL_MONITOR_MODE',
    parse: oneOf<TenantMode>(['self-hosted', 'provider']),
    default: 'self-hosted',
  },
  allowlist: { env: 'VIGIL_MONITOR_ALLOWLIST', parse: nodeIds, default: [] },
  'limits.maxFrameBytes': {
    env: 'VIGIL_MONITOR_MAX_FRAME_BYTES',
    parse: integer(1024, INT32_MAX),
    default: DEFAULT_LIMITS.maxFrameBytes,
  },
  'limits.maxUpdatesInFlight': {
    env: 'VIGIL_MONITOR_MAX_UPDATES_IN_FLIGHT',
    parse: integer(1, 1_000_000),
    default: DEFAULT_LIMITS.maxUpdatesInFlight,
  },
  'limits.maxChannelsPerTenant': {
    env: 'VIGIL_MONITOR_MAX_CHANNELS_PER_TENANT',
    parse: integer(0, INT32_MAX),
    default: DEFAULT_LIMITS.maxChannelsPerTenant,
  },
  'limits.maxStoredBytesPerTenant': {
    env: 'VIGIL_MONITOR_MAX_STORED_BYTES_PER_TENANT',
    parse: byteCount,
    default: DEFAULT_LIMITS.maxStoredBytesPerTenant,
  },
  'limits.maxUpdatesPerSecond': {
    env: 'VIGIL_MONITOR_MAX_UPDATES_PER_SECOND',
    parse: integer(1, INT32_MAX),
    default: DEFAULT_LIMITS.maxUpdatesPerSecond,
  },
  helloWindowMs: { env: 'VIGIL_MONITOR_HELLO_WINDOW_MS', parse: integer(1000, 86_400_000), default: 60_000 },
  helloTimeoutMs: { env: 'VIGIL_MONITOR_HELLO_TIMEOUT_MS', parse: integer(100, 3_600_000), default: 10_000 },
  'compaction.intervalMs': {
    env: 'VIGIL_MONITOR_COMPACTION_INTERVAL_MS',
    parse: integer(1000, 86_400_000),
    default: 60_000,
  },
  'compaction.retainUpdates': {
    env: 'VIGIL_MONITOR_COMPACTION_RETAIN_UPDATES',
    parse: integer(1, INT32_MAX),
    default: 1000,
  },
  shutdownGraceMs: { env: 'VIGIL_MONITOR_SHUTDOWN_GRACE_MS', parse: integer(0, 3_600_000), default: 10_000 },
  logLevel: { env: 'VIGIL_MONITOR_LOG_LEVEL', parse: oneOf<LogLevel>(LOG_LEVELS), default: 'info' },
  'chain.rpcUrl': { env: 'VIGIL_MONITOR_BITCOIND_URL', parse: rpcUrl },
  'chain.cookieFile': { env: 'VIGIL_MONITOR_BITCOIND_COOKIE', parse: text },
  'chain.rpcUser': { env: 'VIGIL_MONITOR_BITCOIND_USER', parse: text },
  'chain.rpcPassword': { env: 'VIGIL_MONITOR_BITCOIND_PASSWORD', parse: secret },
  'chain.pollIntervalMs': {
    env: 'VIGIL_MONITOR_CHAIN_POLL_MS',
    parse: integer(10, 3_600_000),
    default: 1000,
  },
  'chain.startHeight': { env: 'VIGIL_MONITOR_CHAIN_START_HEIGHT', parse: integer(0, INT32_MAX) },
} as const;

type OptionPath = keyof typeof OPTIONS;
type OptionValue<P extends OptionPath> = ReturnType<(typeof OPTIONS)[P]['parse']>;

/** The variable named with the environment, for `--help`. */
export const OPTION_HELP = Object.entries(OPTIONS)
  .map(
    ([path, o]) => `  ${o.env.padEnd(44)} ${path}${'default' in o ? ` (default ${String(o.default)})` : ''}`,
  )
  .join('\n');

/** The file's leaves as dotted paths, so an unknown or misspelt option is refused by name. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    leafPaths(child, prefix === '' ? key : `${prefix}.${key}`),
  );
}

function fileValue(file: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], file);
}

/** Reads options from the environment, else the file, else their defaults. */
function optionReader(file: unknown, source: string, env: Env) {
  const known = new Set<string>(Object.keys(OPTIONS));
  for (const path of file === undefined ? [] : leafPaths(file)) {
    if (!known.has(path)) throw new ValidationError(`${source}: ${path}`, 'is not an option');
  }
  return function read<P extends OptionPath>(path: P): OptionValue<P> | undefined {
    const option = OPTIONS[path];
    const fromEnv = env[option.env];
    if (fromEnv !== undefined && fromEnv !== '') return option.parse(fromEnv, option.env) as OptionValue<P>;
    const fromFile = fileValue(file, path);
    if (fromFile !== undefined) return option.parse(fromFile, `${source}: ${path}`) as OptionValue<P>;
    return ('default' in option ? option.default : undefined) as OptionValue<P> | undefined;
  };
}

function tlsConfig(read: ReturnType<typeof optionReader>): TlsConfig | undefined {
  const certFile = read('tls.certFile');
  const keyFile = read('tls.keyFile');
  const clientCaFile = read('tls.clientCaFile');
  if (certFile === undefined && keyFile === undefined && clientCaFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new ValidationError(
      'tls',
      'needs both certFile and keyFile (VIGIL_MONITOR_TLS_CERT, VIGIL_MONITOR_TLS_KEY)',
    );
  }
  return { certFile, keyFile, ...(clientCaFile === undefined ? {} : { clientCaFile }) };
}

function rpcAuth(read: ReturnType<typeof optionReader>): RpcAuth | undefined {
  const cookieFile = read('chain.cookieFile');
  const user = read('chain.rpcUser');
  const password = read('chain.rpcPassword');
  if (cookieFile !== undefined) {
    if (user !== undefined || password !== undefined) {
      throw new ValidationError(
        'chain',
        'takes either cookieFile (VIGIL_MONITOR_BITCOIND_COOKIE) or rpcUser and rpcPassword, not both',
      );
    }
    return { cookieFile };
  }
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined || password === undefined) {
    const missing = user === undefined ? 'rpcPassword without rpcUser' : 'rpcUser without rpcPassword';
    throw new ValidationError(
      'chain',
      `has ${missing}: set both (VIGIL_MONITOR_BITCOIND_USER, VIGIL_MONITOR_BITCOIND_PASSWORD)`,
    );
  }
  return { user, password };
}

function chainConfig(read: ReturnType<typeof optionReader>): ChainConfig | undefined {
  const url = read('chain.rpcUrl');
  const auth = rpcAuth(read);
  const startHeight = read('chain.startHeight');
  if (url === undefined) {
    if (auth !== undefined || startHeight !== undefined) {
      throw new ValidationError(
        'chain.rpcUrl',
        'is required when other chain options are set (VIGIL_MONITOR_BITCOIND_URL)',
      );
    }
    return undefined;
  }
  return {
    rpcUrl: url,
    ...(auth === undefined ? {} : { auth }),
    pollIntervalMs: read('chain.pollIntervalMs')!,
    ...(startHeight === undefined ? {} : { startHeight }),
  };
}

/** The configuration from parsed file contents (`file`, named `source` in errors) and `env`. */
export function parseConfig(file: unknown, source: string, env: Env): MonitorConfig {
  if (file !== undefined && (file === null || typeof file !== 'object' || Array.isArray(file))) {
    throw new ValidationError(source, 'expected a JSON object');
  }
  const read = optionReader(file, source, env);
  const databaseUrl = read('databaseUrl');
  if (databaseUrl === undefined) {
    throw new ValidationError(
      'databaseUrl',
      'is required (in the config file or VIGIL_MONITOR_DATABASE_URL)',
    );
  }
  const listen = read('listen')!;
  const tls = tlsConfig(read);
  if (tls === undefined && !isLoopback(listen)) {
    throw new ValidationError('tls', `is required to listen on ${listen}, which is not a loopback address`);
  }
  const mode = read('mode')!;
  const allowlist = read('allowlist')!;
  if (mode === 'provider' && allowlist.length > 0) {
    throw new ValidationError(
      'allowlist',
      'is for self-hosted mode; in provider mode use `vigil-monitor tenants add`',
    );
  }
  return {
    databaseUrl,
    databaseMaxConnections: read('databaseMaxConnections')!,
    listen,
    tls,
    mode,
    allowlist,
    limits: {
      maxFrameBytes: read('limits.maxFrameBytes')!,
      maxUpdatesInFlight: read('limits.maxUpdatesInFlight')!,
      maxChannelsPerTenant: read('limits.maxChannelsPerTenant')!,
      maxStoredBytesPerTenant: read('limits.maxStoredBytesPerTenant')!,
      maxUpdatesPerSecond: read('limits.maxUpdatesPerSecond')!,
    },
    helloWindowMs: read('helloWindowMs')!,
    helloTimeoutMs: read('helloTimeoutMs')!,
    compactionIntervalMs: read('compaction.intervalMs')!,
    updateLogRetain: read('compaction.retainUpdates')!,
    shutdownGraceMs: read('shutdownGraceMs')!,
    logLevel: read('logLevel')!,
    chain: chainConfig(read),
  };
}

/** Reads the JSON file at `path` (if given) and applies `env` over it. */
export function loadConfig(path: string | undefined, env: Env): MonitorConfig {
  if (path === undefined) return parseConfig(undefined, 'environment', env);
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ValidationError(
      path,
      `cannot read the config file: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return parseConfig(file, path, env);
}
