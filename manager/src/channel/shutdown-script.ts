/**
 * The scripts a mutual close may pay to, BOLT 2 "Closing Initiation: `shutdown`": P2PKH, P2SH,
 * P2WPKH, P2WSH, and, with `option_shutdown_anysegwit`, any witness program of version 1 to 16.
 * Anything else might not relay, leaving the closing transaction stuck.
 */
import { equalBytes } from '@vigil/shared/bytes';
import { p2pkhScript, p2shScript, parseWitnessProgram } from '@vigil/shared/bitcoin/output-scripts';

function hasStandardForm(script: Uint8Array, anySegwit: boolean): boolean {
  if (script.length === 25 && equalBytes(script, p2pkhScript(script.subarray(3, 23)))) return true;
  if (script.length === 23 && equalBytes(script, p2shScript(script.subarray(2, 22)))) return true;
  const program = parseWitnessProgram(script);
  if (program === undefined) return false;
  if (program.version === 0) return program.program.length === 20 || program.program.length === 32;
  return anySegwit;
}

/** The problem with `script` as a closing destination, or undefined when it is acceptable. */
export function shutdownScriptProblem(script: Uint8Array, anySegwit: boolean): string | undefined {
  if (hasStandardForm(script, anySegwit)) return undefined;
  const allowed = anySegwit
    ? 'P2PKH, P2SH, P2WPKH, P2WSH or a witness v1-16 program'
    : 'P2PKH, P2SH, P2WPKH or P2WSH';
  return `is not ${allowed}`;
}
