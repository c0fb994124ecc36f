/**
 * Service logs (DESIGN.md "Conventions"): pino JSON lines, one object per event, with the context
 * fields `tenant`, `channelId` and `updateId` (hex and numbers) where they apply. Callers pass
 * field values they chose; secrets (keys, seeds, preimages, database passwords) are never among
 * them.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** The service, written as `name` on every line (`vigil-monitor`). */
  readonly name: string;
  readonly level: LogLevel;
  /** Where lines go; standard output by default. */
  readonly destination?: { write(line: string): void };
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    { name: options.name, level: options.level, base: { name: options.name } },
    options.destination ?? pino.destination(1),
  );
}
