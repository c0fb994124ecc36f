/**
 * The output descriptor bitcoind infers for a scriptPubKey without wallet keys (`InferDescriptor`,
 * as `desc` in `scriptPubKey` objects), with its BIP 380 checksum: `pk()`, `multi()`, `rawtr()`,
 * `addr()` for anything with an address, `raw()` for the rest.
 */
import { scriptToAddress } from '../../bitcoin/address.js';
import type { Network } from '../../bitcoin/network.js';
import { parseScriptOps } from '../../bitcoin/script.js';
import { toHex } from '../../bytes.js';
import { ValidationError } from '../../errors.js';
import type { SolvedOutput } from './output-type.js';

const INPUT_CHARSET =
  '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

/** `desc` of `script` whose type is `solved`; `address` when it has one. */
export function inferDescriptor(
  script: Uint8Array,
  solved: SolvedOutput,
  address: string | undefined,
): string {
  return withChecksum(describe(script, solved, address));
}

function describe(script: Uint8Array, solved: SolvedOutput, address: string | undefined): string {
  switch (solved.type) {
    case 'pubkey':
      return `pk(${toHex(script.subarray(1, script.length - 1))})`;
    case 'multisig': {
      const keys = parseScriptOps(script)
        .slice(1, -2)
        .map((op) => toHex(op.data!));
      return `multi(${solved.multisig!.required},${keys.join(',')})`;
    }
    case 'witness_v1_taproot':
      return `rawtr(${toHex(script.subarray(2))})`;
    default:
      return address !== undefined ? `addr(${address})` : `raw(${toHex(script)})`;
  }
}

/** `descriptor#checksum` (BIP 380). */
export function withChecksum(descriptor: string): string {
  const symbols: number[] = [];
  let groups: number[] = [];
  for (const c of descriptor) {
    const v = INPUT_CHARSET.indexOf(c);
    symbols.push(v & 31);
    groups.push(v >> 5);
    if (groups.length === 3) {
      symbols.push(groups[0]! * 9 + groups[1]! * 3 + groups[2]!);
      groups = [];
    }
  }
  if (groups.length === 1) symbols.push(groups[0]!);
  else if (groups.length === 2) symbols.push(groups[0]! * 3 + groups[1]!);
  const checksum = polymod([...symbols, 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1n;
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += CHECKSUM_CHARSET[Number((checksum >> BigInt(5 * (7 - i))) & 31n)];
  return `${descriptor}#${suffix}`;
}

function polymod(symbols: readonly number[]): bigint {
  let chk = 1n;
  for (const value of symbols) {
    const top = chk >> 35n;
    chk = ((chk & 0x7_ffff_ffffn) << 5n) ^ BigInt(value);
    GENERATOR.forEach((g, i) => {
      if ((top >> BigInt(i)) & 1n) chk ^= g;
    });
  }
  return chk;
}

/** The address of `script` on `network`, or undefined when it has none (P2PK, multisig, data). */
export function addressOf(script: Uint8Array, network: Network): string | undefined {
  try {
    return scriptToAddress(script, network);
  } catch (e) {
    if (e instanceof ValidationError) return undefined;
    throw e;
  }
}
