#!/usr/bin/env node
/**
 * `vigil-monitor`: runs the monitor until SIGTERM or SIGINT (then shuts down gracefully, see
 * monitor.ts), or manages provider-mode tenants. Usage: USAGE below or `vigil-monitor --help`.
 * Logs are pino JSON on standard output; the tenants commands print one JSON object per line.
 */
import { parseArgs } from 'node:util';
import { VigilError } from '@vigil/shared/errors';
import { createLogger } from '@vigil/shared/log/logger';
import { loadConfig, type MonitorConfig, OPTION_HELP } from './config.js';
import { startMonitor } from './monitor.js';
import { runTenantsCommand, TENANTS_USAGE } from './tenants-command.js';

const USAGE = `Usage: vigil-monitor [run] [--config <file>]
       vigil-monitor tenants add|list|remove ... [--config <file>]
       vigil-monitor --help

Runs a Vigil monitor (watchtower) serving MonitorService over gRPC, or manages its tenants.

  --config <file>   JSON configuration file (default: $VIGIL_MONITOR_CONFIG); every option can
                    also be set by its environment variable, which wins over the file:

${OPTION_HELP}

  Enforcement needs a chain connection: chain.rpcUrl (bitcoind or vigil-regtest JSON-RPC) with
  either chain.cookieFile or chain.rpcUser and chain.rpcPassword. Without chain.rpcUrl the monitor
  stores and acks updates but enforces nothing on-chain, and warns so at start-up.
  chain.startHeight is where a first start begins (default: the tip then); later starts resume
  from the stored position.

${TENANTS_USAGE}`;

async function run(config: MonitorConfig): Promise<void> {
  const log = createLogger({ name: 'vigil-monitor', level: config.logLevel });
  const monitor = await startMonitor({ config, log });
  const stop = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    monitor.shutdown().catch((e: unknown) => {
      log.error({ err: e }, 'shutdown failed');
      process.exitCode = 1;
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      help: { type: 'boolean' },
      label: { type: 'string' },
      'max-channels': { type: 'string' },
      'max-stored-bytes': { type: 'string' },
      'max-updates-per-second': { type: 'string' },
    },
  });
  if (values.help) return console.log(USAGE);
  const config = loadConfig(values.config ?? process.env['VIGIL_MONITOR_CONFIG'], process.env);
  const [command = 'run', ...rest] = positionals;
  if (command === 'run' && rest.length === 0) return run(config);
  if (command === 'tenants') return runTenantsCommand(config, rest, values);
  throw new VigilError('arguments', `unknown command ${JSON.stringify(positionals.join(' '))}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const message = e instanceof VigilError ? e.message : e instanceof Error ? e.message : String(e);
  console.error(`vigil-monitor: ${message}\n(see vigil-monitor --help)`);
  process.exitCode = 1;
});
