/** Bounds on scripts a monitor pays to: non-empty and within bitcoind's MAX_SCRIPT_SIZE. */
import { ValidationError } from '../errors.js';

/** bitcoind's MAX_SCRIPT_SIZE. */
const MAX_SCRIPT_BYTES = 10_000;

export function checkScript(script: Uint8Array, field: string): void {
  if (!(script instanceof Uint8Array))
    throw new ValidationError(field, `expected bytes, got ${typeof script}`);
  if (script.length === 0 || script.length > MAX_SCRIPT_BYTES) {
    throw new ValidationError(field, `expected 1 to ${MAX_SCRIPT_BYTES} bytes, got ${script.length}`);
  }
}
