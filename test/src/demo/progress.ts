/**
 * The demo's output: one short line per thing that happened, prefixed with the seconds since the
 * demo started, then the summary's lines as they are. Everything else (the monitors' and the
 * regtest node's logs) goes to files.
 */
export class Progress {
  private readonly startedAt = Date.now();

  constructor(private readonly write: (line: string) => void = (line) => console.log(line)) {}

  /** Seconds since the demo started. */
  get elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** A progress line: `[  4.2s] text`. */
  step(text: string): void {
    this.write(`[${this.elapsedSeconds.toFixed(1).padStart(5)}s] ${text}`);
  }

  /** A line as it is (the summary). */
  line(text: string): void {
    this.write(text);
  }
}

/** `1234567n` as `1,234,567`. */
export function sats(valueSat: bigint): string {
  return valueSat.toLocaleString('en-US');
}

/** The first 8 and last 4 hex digits, for progress lines; the summary prints ids in full. */
export function shortHex(hex: string): string {
  return hex.length <= 16 ? hex : `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}
