/**
 * Bitcoin addresses and the output scripts they stand for: segwit addresses (BIP 173 bech32 for
 * witness version 0, BIP 350 bech32m for versions 1 to 16) and base58check P2PKH / P2SH addresses.
 *
 * Decoding is strict: an address yields exactly one output script for the given network, or a
 * DecodeError (malformed) / ValidationError (well formed but for another network) naming the field.
 * Library exceptions never escape: a mistyped address must fail with a message an operator can act on.
 */
import { bech32, bech32m, createBase58check } from '@scure/base';
import { concatBytes, equalBytes } from '../bytes.js';
import { DecodeError, ValidationError, type VigilError } from '../errors.js';
import { sha256 } from './hash.js';
import { expectNetwork, NETWORKS, type Network } from './network.js';
import { p2pkhScript, p2shScript, parseWitnessProgram, witnessProgramScript } from './output-scripts.js';

/** What an address pays to. `hash` is a HASH160; `program` a witness program. */
export type DecodedAddress =
  | { readonly type: 'p2pkh'; readonly hash: Uint8Array }
  | { readonly type: 'p2sh'; readonly hash: Uint8Array }
  | { readonly type: 'segwit'; readonly version: number; readonly program: Uint8Array };

type Checksum = 'bech32' | 'bech32m';

/** BIP 173's limit on a whole bech32 string; it also bounds the quadratic base58 decoder's work. */
const MAX_ADDRESS_LENGTH = 90;
const BECH32_CHECKSUM_LENGTH = 6;
const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const MAX_WITNESS_VERSION = 16;
const MIN_PROGRAM_LENGTH = 2;
const MAX_PROGRAM_LENGTH = 40;
/** A 5-bit word group ends with at most 4 bits of zero padding (BIP 173, convertbits). */
const MAX_PADDING_BITS = 4;
/** Where the HASH160 sits: after `OP_DUP OP_HASH160 <20>`, and after `OP_HASH160 <20>`. */
const P2PKH_HASH_OFFSET = 3;
const P2SH_HASH_OFFSET = 2;
const HASH160_LENGTH = 20;
const KNOWN_HRPS: ReadonlySet<string> = new Set(NETWORKS.map((n) => n.bech32Hrp));
const base58check = createBase58check(sha256);

/** Decodes `address` for `network`; `field` names it in errors (`config.sweepAddress`). */
export function decodeAddress(address: string, network: Network, field = 'address'): DecodedAddress {
  expectNetwork(network);
  checkAddressString(address, field);
  const hrp = humanReadablePart(address);
  if (hrp !== undefined && KNOWN_HRPS.has(hrp)) {
    const { version, program } = decodeSegwit(address, field);
    if (hrp !== network.bech32Hrp) throw new ValidationError(field, wrongHrp(hrp, network));
    return { type: 'segwit', version, program };
  }
  const payload = base58Payload(address);
  if (payload === undefined) throw notAnAddress(address, network, field);
  return fromBase58Payload(payload, network, field);
}

/** The output script (scriptPubKey) that `address` pays to on `network`. */
export function addressToScript(address: string, network: Network, field = 'address'): Uint8Array {
  const decoded = decodeAddress(address, network, field);
  switch (decoded.type) {
    case 'p2pkh':
      return p2pkhScript(decoded.hash);
    case 'p2sh':
      return p2shScript(decoded.hash);
    case 'segwit':
      return witnessProgramScript(decoded.version, decoded.program);
  }
}

/**
 * The address of output script `script` on `network`: lower-case bech32 / bech32m for a witness
 * program, base58check for P2PKH and P2SH. Any other script (P2PK, bare multisig, OP_RETURN) has
 * no address and is a ValidationError.
 */
export function scriptToAddress(script: Uint8Array, network: Network, field = 'script'): string {
  expectNetwork(network);
  if (!(script instanceof Uint8Array)) {
    throw new ValidationError(field, `expected bytes, got ${typeof script}`);
  }
  const witness = parseWitnessProgram(script);
  if (witness !== undefined) return encodeSegwit(network.bech32Hrp, witness.version, witness.program, field);
  const keyHash = hashInTemplate(script, p2pkhScript, P2PKH_HASH_OFFSET);
  if (keyHash !== undefined) return encodeBase58(network.p2pkhVersion, keyHash);
  const scriptHash = hashInTemplate(script, p2shScript, P2SH_HASH_OFFSET);
  if (scriptHash !== undefined) return encodeBase58(network.p2shVersion, scriptHash);
  throw new ValidationError(field, 'not a P2PKH, P2SH or witness program script, so it has no address');
}

function checkAddressString(address: string, field: string): void {
  if (typeof address !== 'string') {
    throw new ValidationError(field, `expected a string, got ${typeof address}`);
  }
  if (address.length === 0) throw new DecodeError(field, 'empty address');
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw new DecodeError(field, `${address.length} characters, at most ${MAX_ADDRESS_LENGTH} allowed`);
  }
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    // BIP 173 allows only printable US-ASCII (33..126); base58 is a subset.
    if (code < 33 || code > 126) {
      throw new DecodeError(field, `character code ${code} at position ${i} is not printable ASCII`);
    }
  }
}

/** The lower-cased part before the last `1`, or undefined when there is none. */
function humanReadablePart(address: string): string | undefined {
  const separator = address.lastIndexOf('1');
  return separator > 0 ? address.slice(0, separator).toLowerCase() : undefined;
}

function wrongHrp(hrp: string, network: Network): string {
  const owners = NETWORKS.filter((n) => n.bech32Hrp === hrp).map((n) => n.name);
  const whose = owners.length > 0 ? `is for ${owners.join(' or ')}` : 'belongs to no supported network';
  return `human-readable part "${hrp}" ${whose}, but ${network.name} addresses start with "${network.bech32Hrp}1"`;
}

/** BIP 173 / BIP 350 decoding of a segwit address: BIP 350's reference checks, the checksum variant last. */
function decodeSegwit(address: string, field: string): { version: number; program: Uint8Array } {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) {
    throw new DecodeError(field, 'mixed upper and lower case');
  }
  const lower = address.toLowerCase();
  const { checksum, words } = verifyChecksum(lower, field);
  if (words.length === 0) throw new DecodeError(field, 'empty data part: no witness version');
  const version = words[0]!;
  if (version > MAX_WITNESS_VERSION) {
    throw new DecodeError(field, `witness version ${version} is above ${MAX_WITNESS_VERSION}`);
  }
  const program = programFromWords(words.slice(1), field);
  if (program.length < MIN_PROGRAM_LENGTH || program.length > MAX_PROGRAM_LENGTH) {
    throw new DecodeError(
      field,
      `witness program is ${program.length} bytes, expected ${MIN_PROGRAM_LENGTH} to ${MAX_PROGRAM_LENGTH}`,
    );
  }
  if (isUnspendableV0(version, program)) {
    throw new DecodeError(field, `witness version 0 program is ${program.length} bytes, expected 20 or 32`);
  }
  const expected: Checksum = version === 0 ? 'bech32' : 'bech32m';
  if (checksum !== expected) {
    throw new DecodeError(field, `${checksum} checksum used for witness version ${version}`);
  }
  return { version, program };
}

/** Checks the data characters and the checksum, telling which of the two checksums matched. */
function verifyChecksum(lower: string, field: string): { checksum: Checksum; words: number[] } {
  const separator = lower.lastIndexOf('1');
  const data = lower.slice(separator + 1);
  if (data.length < BECH32_CHECKSUM_LENGTH) {
    throw new DecodeError(field, `data part is ${data.length} characters, shorter than the checksum`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!BECH32_CHARSET.includes(data[i]!)) {
      throw new DecodeError(
        field,
        `${JSON.stringify(data[i])} at position ${separator + 1 + i} is not a bech32 character`,
      );
    }
  }
  const asBech32 = bech32.decodeUnsafe(lower, MAX_ADDRESS_LENGTH);
  if (asBech32) return { checksum: 'bech32', words: asBech32.words };
  const asBech32m = bech32m.decodeUnsafe(lower, MAX_ADDRESS_LENGTH);
  if (asBech32m) return { checksum: 'bech32m', words: asBech32m.words };
  throw new DecodeError(field, 'checksum matches neither bech32 nor bech32m');
}

/** Regroups 5-bit words into bytes, refusing the non-canonical padding BIP 173 forbids. */
function programFromWords(words: number[], field: string): Uint8Array {
  const paddingBits = (words.length * 5) % 8;
  if (paddingBits > MAX_PADDING_BITS) {
    throw new DecodeError(
      field,
      `witness program ends with ${paddingBits} padding bits, at most ${MAX_PADDING_BITS} allowed`,
    );
  }
  const program = bech32.fromWordsUnsafe(words);
  if (!program) throw new DecodeError(field, 'witness program padding bits are not zero');
  return program;
}

/** BIP 141: a version 0 program is a 20-byte key hash or a 32-byte script hash; any other fails. */
function isUnspendableV0(version: number, program: Uint8Array): boolean {
  return version === 0 && program.length !== 20 && program.length !== 32;
}

function encodeSegwit(hrp: string, version: number, program: Uint8Array, field: string): string {
  // parseWitnessProgram accepts any 2..40-byte program, as consensus does.
  if (isUnspendableV0(version, program)) {
    throw new ValidationError(
      field,
      `witness version 0 program is ${program.length} bytes, so it has no address`,
    );
  }
  const coder = version === 0 ? bech32 : bech32m;
  return coder.encode(hrp, [version, ...coder.toWords(program)], MAX_ADDRESS_LENGTH);
}

/** The base58check payload, or undefined when a character is outside the alphabet or the checksum fails. */
function base58Payload(address: string): Uint8Array | undefined {
  if (firstNonBase58(address) !== undefined) return undefined;
  try {
    return base58check.decode(address);
  } catch {
    return undefined;
  }
}

function firstNonBase58(address: string): number | undefined {
  for (let i = 0; i < address.length; i++) if (!BASE58_ALPHABET.includes(address[i]!)) return i;
  return undefined;
}

/** The most useful error for a string that is neither a known-network segwit address nor base58check. */
function notAnAddress(address: string, network: Network, field: string): VigilError {
  const hrp = humanReadablePart(address);
  const lower = address.toLowerCase();
  if (
    hrp !== undefined &&
    (bech32.decodeUnsafe(lower, MAX_ADDRESS_LENGTH) || bech32m.decodeUnsafe(lower, MAX_ADDRESS_LENGTH))
  ) {
    return new ValidationError(field, wrongHrp(hrp, network));
  }
  const bad = firstNonBase58(address);
  if (bad !== undefined) {
    return new DecodeError(
      field,
      `not a segwit address for ${network.name} ("${network.bech32Hrp}1..."), and ${JSON.stringify(address[bad])} at position ${bad} is not a base58 character`,
    );
  }
  return new DecodeError(field, 'base58check checksum mismatch');
}

function fromBase58Payload(payload: Uint8Array, network: Network, field: string): DecodedAddress {
  if (payload.length !== 1 + HASH160_LENGTH) {
    throw new DecodeError(
      field,
      `base58check payload is ${payload.length} bytes, expected ${1 + HASH160_LENGTH}`,
    );
  }
  const version = payload[0]!;
  const hash = payload.slice(1);
  if (version === network.p2pkhVersion) return { type: 'p2pkh', hash };
  if (version === network.p2shVersion) return { type: 'p2sh', hash };
  const owners = NETWORKS.filter((n) => n.p2pkhVersion === version || n.p2shVersion === version).map(
    (n) => n.name,
  );
  const shown = `0x${version.toString(16).padStart(2, '0')}`;
  if (owners.length > 0) {
    throw new ValidationError(
      field,
      `base58 version ${shown} is for ${owners.join(' or ')}, not ${network.name}`,
    );
  }
  throw new DecodeError(field, `unknown base58 version ${shown}`);
}

/** The hash in `script` when `script` is exactly `template(hash)`, else undefined. */
function hashInTemplate(
  script: Uint8Array,
  template: (hash: Uint8Array) => Uint8Array,
  offset: number,
): Uint8Array | undefined {
  if (script.length < offset + HASH160_LENGTH) return undefined;
  const hash = script.subarray(offset, offset + HASH160_LENGTH);
  return equalBytes(script, template(hash)) ? hash : undefined;
}

function encodeBase58(version: number, hash: Uint8Array): string {
  return base58check.encode(concatBytes(Uint8Array.of(version), hash));
}
