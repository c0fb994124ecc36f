/**
 * Standard output scripts (scriptPubKeys): P2PKH, P2SH, and witness programs (BIP 141 P2WPKH /
 * P2WSH, BIP 341 P2TR), and recognising a witness program in an arbitrary script.
 */
import { expectLength, expectUint } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { sha256 } from './hash.js';
import { OP } from './opcodes.js';
import { compileScript } from './script.js';

/** `OP_DUP OP_HASH160 <hash160> OP_EQUALVERIFY OP_CHECKSIG`. */
export function p2pkhScript(pubkeyHash: Uint8Array): Uint8Array {
  expectLength(pubkeyHash, 20, 'pubkeyHash');
  return compileScript([OP.DUP, OP.HASH160, pubkeyHash, OP.EQUALVERIFY, OP.CHECKSIG]);
}

/** `OP_HASH160 <hash160> OP_EQUAL`. */
export function p2shScript(scriptHash: Uint8Array): Uint8Array {
  expectLength(scriptHash, 20, 'scriptHash');
  return compileScript([OP.HASH160, scriptHash, OP.EQUAL]);
}

/** `OP_n <program>`: a BIP 141 witness program of version 0..16 and 2..40 bytes. */
export function witnessProgramScript(version: number, program: Uint8Array): Uint8Array {
  expectUint(version, 16, 'witnessVersion');
  if (program.length < 2 || program.length > 40) {
    throw new ValidationError('witnessProgram', `expected 2 to 40 bytes, got ${program.length}`);
  }
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw new ValidationError('witnessProgram', `version 0 needs 20 or 32 bytes, got ${program.length}`);
  }
  return compileScript([version === 0 ? OP['0'] : OP['1'] + version - 1, program]);
}

/** P2WPKH: `OP_0 <hash160(pubkey)>`. */
export function p2wpkhScript(pubkeyHash: Uint8Array): Uint8Array {
  return witnessProgramScript(0, expectLength(pubkeyHash, 20, 'pubkeyHash'));
}

/** P2WSH of `witnessScript`: `OP_0 <sha256(witnessScript)>`. */
export function p2wshScript(witnessScript: Uint8Array): Uint8Array {
  return witnessProgramScript(0, sha256(witnessScript));
}

/** P2TR: `OP_1 <x-only output key>`. */
export function p2trScript(outputKey: Uint8Array): Uint8Array {
  return witnessProgramScript(1, expectLength(outputKey, 32, 'outputKey'));
}

export interface WitnessProgram {
  readonly version: number;
  readonly program: Uint8Array;
}

/** The witness program in `script`, or undefined when it is not one (BIP 141's exact rule). */
export function parseWitnessProgram(script: Uint8Array): WitnessProgram | undefined {
  if (script.length < 4 || script.length > 42) return undefined;
  const op = script[0]!;
  if (op !== OP['0'] && (op < OP['1'] || op > OP['16'])) return undefined;
  if (script[1]! + 2 !== script.length) return undefined;
  return { version: op === OP['0'] ? 0 : op - OP['1'] + 1, program: script.slice(2) };
}
