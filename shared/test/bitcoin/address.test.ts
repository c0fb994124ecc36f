/**
 * Addresses (address.ts, network.ts): the BIP 173 and BIP 350 segwit vectors, Bitcoin Core's
 * key_io_valid.json addresses for every network (base58 P2PKH / P2SH and segwit), and the errors
 * each malformed or foreign address must raise.
 */
import { createBase58check } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressToScript, decodeAddress, scriptToAddress } from '../../src/bitcoin/address.js';
import {
  expectNetwork,
  MAINNET,
  NETWORKS,
  networkByName,
  REGTEST,
  SIGNET,
  TESTNET,
  type Network,
} from '../../src/bitcoin/network.js';
import { sha256 } from '../../src/bitcoin/hash.js';
import { OP } from '../../src/bitcoin/opcodes.js';
import {
  p2pkhScript,
  p2shScript,
  p2wshScript,
  witnessProgramScript,
} from '../../src/bitcoin/output-scripts.js';
import { compileScript } from '../../src/bitcoin/script.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError, VigilError } from '../../src/errors.js';
import { expectVigilError, loadTestData } from '../helpers.js';

interface SegwitVectors {
  valid: { address: string; scriptPubKey: string }[];
  invalid: { address: string; reason: string; error: 'DecodeError' | 'ValidationError' }[];
  invalidStrings: { address: string; reason: string }[];
}

interface KeyIoVectors {
  cases: { address: string; scriptPubKey: string; chain: string }[];
}

const segwit = loadTestData<SegwitVectors>('address-segwit.json');
const keyIo = loadTestData<KeyIoVectors>('address-key-io.json');

const CHAINS: Readonly<Record<string, Network>> = {
  main: MAINNET,
  testnet4: TESTNET,
  signet: SIGNET,
  regtest: REGTEST,
};
const ERRORS = { DecodeError, ValidationError } as const;

/** The BIP vectors use only the `bc` and `tb` prefixes; anything else is tried on mainnet. */
function networkOf(address: string): Network {
  return address.toLowerCase().startsWith('tb1') ? TESTNET : MAINNET;
}

/** Whether `a` and `b` read `address` the same way (same HRP, or same base58 version bytes). */
function sharePrefix(a: Network, b: Network, isSegwit: boolean): boolean {
  return isSegwit ? a.bech32Hrp === b.bech32Hrp : a.p2pkhVersion === b.p2pkhVersion;
}

const printable = (s: string) => JSON.stringify(s);

/** Base58check of `version` followed by `length` zero bytes, built independently of address.ts. */
function base58Of(version: number, length: number): string {
  const payload = new Uint8Array(1 + length);
  payload[0] = version;
  return createBase58check(sha256).encode(payload);
}

describe('BIP 350 valid segwit addresses', () => {
  for (const { address, scriptPubKey } of segwit.valid) {
    it(`${address} <-> ${scriptPubKey}`, () => {
      const network = networkOf(address);
      expect(toHex(addressToScript(address, network))).toBe(scriptPubKey);
      // Encoders must emit lower case (BIP 173).
      expect(scriptToAddress(fromHex(scriptPubKey), network)).toBe(address.toLowerCase());
    });
  }
});

describe('BIP 173 / BIP 350 invalid segwit addresses', () => {
  for (const { address, reason, error } of segwit.invalid) {
    it(`rejects ${address} (${reason})`, () => {
      expectVigilError(() => decodeAddress(address, networkOf(address)), ERRORS[error], 'address');
    });
  }
});

describe('BIP 173 / BIP 350 invalid bech32 strings are not addresses', () => {
  for (const { address, reason } of segwit.invalidStrings) {
    it(`rejects ${printable(address)} (${reason})`, () => {
      expectVigilError(() => decodeAddress(address, MAINNET), DecodeError, 'address');
    });
  }
});

describe('Bitcoin Core key_io_valid.json addresses', () => {
  for (const { address, scriptPubKey, chain } of keyIo.cases) {
    const network = CHAINS[chain]!;
    const isSegwit = address.toLowerCase().startsWith(`${network.bech32Hrp}1`);
    it(`${chain} ${address} <-> ${scriptPubKey}`, () => {
      expect(toHex(addressToScript(address, network))).toBe(scriptPubKey);
      expect(scriptToAddress(fromHex(scriptPubKey), network)).toBe(address);
      if (isSegwit) expect(toHex(addressToScript(address.toUpperCase(), network))).toBe(scriptPubKey);
      for (const other of NETWORKS) {
        if (sharePrefix(other, network, isSegwit)) {
          expect(toHex(addressToScript(address, other))).toBe(scriptPubKey);
        } else {
          expectVigilError(() => addressToScript(address, other), ValidationError, 'address', /is for/);
        }
      }
    });
  }
});

describe('decodeAddress', () => {
  it('tells a P2PKH from a P2SH hash', () => {
    expect(decodeAddress('1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo', MAINNET)).toEqual({
      type: 'p2pkh',
      hash: fromHex('a31c06bd463e3923bc1aadbde48b16976c080717'),
    });
    expect(decodeAddress('2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK', TESTNET)).toEqual({
      type: 'p2sh',
      hash: fromHex('ce0bba75891ff9ec60148d4bd4a09ee2dc5c9331'),
    });
  });

  it('returns the witness version and program', () => {
    expect(decodeAddress('bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', MAINNET)).toEqual({
      type: 'segwit',
      version: 2,
      program: fromHex('751e76e8199196d454941c45d1b3a323'),
    });
  });

  it('names the checksum variant used for the wrong witness version', () => {
    expectVigilError(
      () => decodeAddress('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', MAINNET),
      DecodeError,
      'address',
      'bech32m checksum used for witness version 0',
    );
    expectVigilError(
      () => decodeAddress('bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', MAINNET),
      DecodeError,
      'address',
      'bech32 checksum used for witness version 1',
    );
  });

  it('explains each malformed segwit address', () => {
    const cases: [string, RegExp][] = [
      ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7', /mixed upper and lower case/],
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', /checksum matches neither bech32 nor bech32m/],
      [
        'bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4',
        /"o" at position 59 is not a bech32/,
      ],
      ['BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2', /witness version 17 is above 16/],
      ['bc1pw5dgrnzv', /witness program is 1 bytes, expected 2 to 40/],
      ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', /witness version 0 program is 16 bytes, expected 20 or 32/],
      ['bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du', /7 padding bits, at most 4/],
      ['bc1gmk9yu', /empty data part/],
      ['bc1qqqqq', /shorter than the checksum/],
    ];
    for (const [address, problem] of cases)
      expectVigilError(() => decodeAddress(address, MAINNET), DecodeError, 'address', problem);
    expectVigilError(
      () => decodeAddress('tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv', TESTNET),
      DecodeError,
      'address',
      /padding bits are not zero/,
    );
  });

  it('names the networks a foreign address belongs to', () => {
    expectVigilError(
      () => decodeAddress('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', REGTEST),
      ValidationError,
      'address',
      'human-readable part "bc" is for mainnet, but regtest addresses start with "bcrt1"',
    );
    expectVigilError(
      () => decodeAddress('tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty', TESTNET),
      ValidationError,
      'address',
      /"tc" belongs to no supported network/,
    );
    expectVigilError(
      () => decodeAddress('mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ', MAINNET),
      ValidationError,
      'address',
      'base58 version 0x6f is for testnet or signet or regtest, not mainnet',
    );
  });

  it('explains each malformed base58 address', () => {
    // The last character of a valid address changed: the checksum no longer matches.
    expectVigilError(
      () => decodeAddress('1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mp', MAINNET),
      DecodeError,
      'address',
      'base58check checksum mismatch',
    );
    expectVigilError(
      () => decodeAddress('1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2m0', MAINNET),
      DecodeError,
      'address',
      /"0" at position 33 is not a base58 character/,
    );
    // Litecoin's P2PKH version 0x30 and a 22-byte payload: well-formed base58check, not addresses.
    expectVigilError(
      () => decodeAddress(base58Of(0x30, 20), MAINNET),
      DecodeError,
      'address',
      'unknown base58 version 0x30',
    );
    expectVigilError(
      () => decodeAddress(base58Of(0x00, 21), MAINNET),
      DecodeError,
      'address',
      /payload is 22 bytes, expected 21/,
    );
  });

  it('rejects what is not an address string', () => {
    expectVigilError(() => decodeAddress('', MAINNET), DecodeError, 'address', 'empty address');
    expectVigilError(
      () => decodeAddress(`bc1${'q'.repeat(88)}`, MAINNET),
      DecodeError,
      'address',
      /91 characters, at most 90/,
    );
    expectVigilError(
      () => decodeAddress('bc1 q', MAINNET),
      DecodeError,
      'address',
      /character code 32 at position 3/,
    );
    expectVigilError(
      () => decodeAddress(42 as unknown as string, MAINNET),
      ValidationError,
      'address',
      /expected a string/,
    );
  });

  it('uses the caller-supplied field name', () => {
    expectVigilError(
      () => decodeAddress('bc1gmk9yu', MAINNET, 'config.sweepAddress'),
      DecodeError,
      'config.sweepAddress',
    );
  });

  it('refuses a network that is not one of the constants', () => {
    expectVigilError(() => decodeAddress('bc1gmk9yu', { ...MAINNET }), ValidationError, 'network');
  });

  it('never throws anything but a typed error, whatever the string', () => {
    const bech32ish = fc
      .array(fc.constantFrom(...'qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY1bio'), { maxLength: 80 })
      .map((chars) => `bc1${chars.join('')}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 100 }), bech32ish), (s) => {
        try {
          decodeAddress(s, MAINNET);
        } catch (e) {
          expect(e).toBeInstanceOf(VigilError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('scriptToAddress', () => {
  it('refuses scripts that have no address', () => {
    const key = fromHex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
    const noAddress: [string, Uint8Array][] = [
      ['P2PK', compileScript([key, OP.CHECKSIG])],
      ['OP_RETURN', compileScript([OP.RETURN, fromHex('deadbeef')])],
      ['bare 1-of-1 multisig', compileScript([OP['1'], key, OP['1'], OP.CHECKMULTISIG])],
      // A P2PKH look-alike with OP_EQUAL instead of OP_EQUALVERIFY.
      ['almost P2PKH', compileScript([OP.DUP, OP.HASH160, new Uint8Array(20), OP.EQUAL, OP.CHECKSIG])],
      ['empty', new Uint8Array(0)],
    ];
    for (const [, script] of noAddress) {
      expectVigilError(() => scriptToAddress(script, MAINNET), ValidationError, 'script', /has no address/);
    }
  });

  it('refuses a version 0 witness program of a length other than 20 or 32', () => {
    const script = compileScript([OP['0'], new Uint8Array(25)]);
    expectVigilError(
      () => scriptToAddress(script, MAINNET),
      ValidationError,
      'script',
      /25 bytes, so it has no address/,
    );
  });

  it('refuses what is not bytes and foreign networks', () => {
    expectVigilError(
      () => scriptToAddress('0014' as unknown as Uint8Array, MAINNET),
      ValidationError,
      'script',
    );
    expectVigilError(
      () => scriptToAddress(p2wshScript(new Uint8Array(0)), { ...TESTNET }),
      ValidationError,
      'network',
    );
  });

  it('round-trips every witness program and hash through addressToScript on every network', () => {
    const witness = fc
      .tuple(fc.integer({ min: 0, max: 16 }), fc.uint8Array({ minLength: 2, maxLength: 40 }))
      .filter(([version, program]) => version !== 0 || program.length === 20 || program.length === 32)
      .map(([version, program]) => witnessProgramScript(version, program));
    const hash = fc.uint8Array({ minLength: 20, maxLength: 20 });
    const script = fc.oneof(witness, hash.map(p2pkhScript), hash.map(p2shScript));
    fc.assert(
      fc.property(script, fc.constantFrom(...NETWORKS), (spk, network) => {
        const address = scriptToAddress(spk, network);
        expect(toHex(addressToScript(address, network))).toBe(toHex(spk));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('networks', () => {
  it('carries the chainparams prefixes', () => {
    expect(NETWORKS.map((n) => [n.name, n.bech32Hrp, n.p2pkhVersion, n.p2shVersion])).toEqual([
      ['mainnet', 'bc', 0x00, 0x05],
      ['testnet', 'tb', 0x6f, 0xc4],
      ['signet', 'tb', 0x6f, 0xc4],
      ['regtest', 'bcrt', 0x6f, 0xc4],
    ]);
  });

  it('looks networks up by name', () => {
    for (const network of NETWORKS) expect(networkByName(network.name)).toBe(network);
    expectVigilError(
      () => networkByName('testnet3'),
      ValidationError,
      'network',
      /expected one of mainnet, testnet, signet, regtest/,
    );
    expectVigilError(() => networkByName('Mainnet', 'config.network'), ValidationError, 'config.network');
  });

  it('cannot be altered', () => {
    expect(Object.isFrozen(MAINNET)).toBe(true);
    expect(Object.isFrozen(NETWORKS)).toBe(true);
    expect(expectNetwork(SIGNET)).toBe(SIGNET);
  });
});
