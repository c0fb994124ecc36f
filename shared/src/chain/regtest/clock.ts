/**
 * The node's clock in Unix seconds, with bitcoind's `setmocktime`: when a mock time is set, it is
 * the time, so tests decide block timestamps and hence median time past (BIP 113, BIP 68 time locks).
 */
import { expectUint, U32_MAX } from '../../bytes.js';

export class NodeClock {
  private mockTime: number | undefined;

  /** `mockTime`: start mocked at this time (seconds); undefined uses the system clock. */
  constructor(mockTime?: number) {
    this.setMockTime(mockTime ?? 0);
  }

  now(): number {
    return this.mockTime ?? Math.floor(Date.now() / 1000);
  }

  /** Sets the mock time; 0 goes back to the system clock, as with bitcoind. */
  setMockTime(seconds: number): void {
    expectUint(seconds, U32_MAX, 'mockTime');
    this.mockTime = seconds === 0 ? undefined : seconds;
  }
}
