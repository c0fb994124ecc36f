/**
 * Script (script.ts, opcodes.ts, output-scripts.ts): BIP 62 minimal pushes at every size boundary,
 * CScriptNum encoding, parse errors for pushes that run past the end, the standard output-script
 * templates (checked against the BIP 143 examples' keys and scripts) and BIP 141's witness program rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash160 } from '../../src/bitcoin/hash.js';
import { OP, opcodeName } from '../../src/bitcoin/opcodes.js';
import {
  p2pkhScript,
  p2shScript,
  p2trScript,
  p2wpkhScript,
  p2wshScript,
  parseWitnessProgram,
  witnessProgramScript,
} from '../../src/bitcoin/output-scripts.js';
import {
  compileScript,
  decompileScript,
  encodeScriptNum,
  parseScriptOps,
  scriptNumChunk,
  scriptToAsm,
} from '../../src/bitcoin/script.js';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { expectVigilError } from '../helpers.js';

/** `n` bytes of a non-small-number value, so no OP_n shortcut applies. */
const filler = (n: number) => new Uint8Array(n).fill(0xaa);
const hexOf = (n: number) => toHex(filler(n));

describe('minimal pushes (BIP 62)', () => {
  const boundaries: [string, Uint8Array, string][] = [
    ['empty data as OP_0', new Uint8Array(0), '00'],
    ['a zero byte as a direct push, not OP_0', Uint8Array.of(0x00), '0100'],
    ['0x11 (just above OP_16) as a direct push', Uint8Array.of(0x11), '0111'],
    ['0x80 (negative zero) as a direct push', Uint8Array.of(0x80), '0180'],
    ['2 bytes as a direct push', filler(2), `02${hexOf(2)}`],
    ['75 bytes as a direct push', filler(75), `4b${hexOf(75)}`],
    ['76 bytes with PUSHDATA1', filler(76), `4c4c${hexOf(76)}`],
    ['255 bytes with PUSHDATA1', filler(255), `4cff${hexOf(255)}`],
    ['256 bytes with PUSHDATA2', filler(256), `4d0001${hexOf(256)}`],
    ['65535 bytes with PUSHDATA2', filler(65535), `4dffff${hexOf(65535)}`],
    ['65536 bytes with PUSHDATA4', filler(65536), `4e00000100${hexOf(65536)}`],
  ];
  for (const [name, data, expected] of boundaries) {
    it(`pushes ${name}`, () => {
      const script = compileScript([data]);
      expect(toHex(script)).toBe(expected);
      expect(decompileScript(script)).toEqual([data]);
    });
  }

  it('pushes the byte 0x81 (-1) as OP_1NEGATE', () => {
    const script = compileScript([Uint8Array.of(0x81)]);
    expect(toHex(script)).toBe('4f');
    expect(decompileScript(script)).toEqual([OP['1NEGATE']]);
  });

  for (let n = 1; n <= 16; n++) {
    it(`pushes the byte ${n} as OP_${n}`, () => {
      const script = compileScript([Uint8Array.of(n)]);
      expect(toHex(script)).toBe((0x50 + n).toString(16));
      // Small numbers come back as their opcode, which compiles to the same byte.
      expect(decompileScript(script)).toEqual([OP['1'] + n - 1]);
    });
  }

  it('decompiles non-minimal pushes to their data', () => {
    const ops = parseScriptOps(fromHex('4c01aa4d0200bbbb4e01000000cc'));
    expect(ops.map((op) => [op.opcode, toHex(op.data!), op.start, op.end])).toEqual([
      [OP.PUSHDATA1, 'aa', 0, 3],
      [OP.PUSHDATA2, 'bbbb', 3, 8],
      [OP.PUSHDATA4, 'cc', 8, 14],
    ]);
  });

  it('round-trips any chunks through compile and decompile', () => {
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: OP['1NEGATE'], max: 0xff }),
      fc.constant(OP['0']),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 8 }), (chunks) => {
        const script = compileScript(chunks);
        expect(compileScript(decompileScript(script))).toEqual(script);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses chunks that are not an opcode byte', () => {
    expectVigilError(
      () => compileScript([OP.DUP, 0x14]),
      ValidationError,
      'script[1]',
      /must be given as data/,
    );
    expectVigilError(
      () => compileScript([OP.PUSHDATA1]),
      ValidationError,
      'script[0]',
      /must be given as data/,
    );
    expectVigilError(() => compileScript([0x100]), ValidationError, 'script[0]', /expected an opcode byte/);
    expectVigilError(() => compileScript([-1]), ValidationError, 'script[0]');
    expectVigilError(() => compileScript([OP.DUP, 1.5]), ValidationError, 'script[1]');
  });
});

describe('script parsing errors', () => {
  const truncated: [string, string, string, RegExp][] = [
    ['a direct push with no data', '01', 'script[byte 0].push', /expected 1 bytes, got 0/],
    ['a 75-byte push one byte short', `ac4b${hexOf(74)}`, 'script[byte 1].push', /expected 75 bytes, got 74/],
    ['PUSHDATA1 without its length', '4c', 'script[byte 0].length', /expected 1 bytes, got 0/],
    ['PUSHDATA1 past the end', '4c05aabb', 'script[byte 0].push', /expected 5 bytes, got 2/],
    ['PUSHDATA2 with half a length', '4dff', 'script[byte 0].length', /expected 2 bytes, got 1/],
    ['PUSHDATA2 past the end', '4d0001aa', 'script[byte 0].push', /expected 256 bytes, got 1/],
    ['PUSHDATA4 with a short length', '4e010000', 'script[byte 0].length', /expected 4 bytes, got 3/],
    ['PUSHDATA4 claiming 4 GiB', '4effffffff00', 'script[byte 0].push', /expected 4294967295 bytes, got 1/],
  ];
  for (const [name, hex, field, problem] of truncated) {
    it(`rejects ${name}`, () => {
      expectVigilError(() => decompileScript(fromHex(hex)), DecodeError, field, problem);
    });
  }

  it('names the caller-supplied field', () => {
    expectVigilError(
      () => parseScriptOps(fromHex('0001'), 'witnessScript'),
      DecodeError,
      'witnessScript[byte 1].push',
    );
  });

  it('never throws anything but DecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseScriptOps(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('scriptToAsm', () => {
  it('renders opcodes by name and data as hex', () => {
    const script = p2pkhScript(fromHex('1d0f172a0ecb48aee1be1f2687d2963ae33f71a1'));
    expect(scriptToAsm(script)).toBe(
      'OP_DUP OP_HASH160 1d0f172a0ecb48aee1be1f2687d2963ae33f71a1 OP_EQUALVERIFY OP_CHECKSIG',
    );
    expect(scriptToAsm(fromHex('00ba'))).toBe('OP_0 OP_CHECKSIGADD');
    expect(scriptToAsm(fromHex('ff'))).toBe('OP_UNKNOWN_0xff');
  });

  it('describes a malformed script instead of throwing', () => {
    expect(scriptToAsm(fromHex('4c05aa'))).toMatch(
      /^\[malformed script: script\[byte 0\]\.push: expected 5 bytes/,
    );
  });
});

describe('opcodeName', () => {
  it('names defined and undefined opcodes', () => {
    expect(opcodeName(OP.CHECKSIG)).toBe('OP_CHECKSIG');
    expect(opcodeName(OP.CHECKSEQUENCEVERIFY)).toBe('OP_CHECKSEQUENCEVERIFY');
    expect(opcodeName(0x00)).toBe('OP_0');
    expect(opcodeName(0xbb)).toBe('OP_UNKNOWN_0xbb');
  });
});

describe('script numbers (CScriptNum)', () => {
  const numbers: [number | bigint, string][] = [
    [0, ''],
    [1, '01'],
    [-1, '81'],
    [16, '10'],
    [127, '7f'],
    [128, '8000'],
    [-127, 'ff'],
    [-128, '8080'],
    [144, '9000'],
    [255, 'ff00'],
    [-255, 'ff80'],
    [256, '0001'],
    [-256, '0081'],
    [32767, 'ff7f'],
    [32768, '008000'],
    [65535, 'ffff00'],
    [500000000, '0065cd1d'],
    [0x7fffffff, 'ffffff7f'],
    [-0x7fffffff, 'ffffffff'],
    [0x80000000, '0000008000'],
    [-0x80000000, '0000008080'],
    [0xffffffff, 'ffffffff00'],
    [2n ** 39n, '000000008000'],
    [-(2n ** 39n), '000000008080'],
  ];
  for (const [n, hex] of numbers) {
    it(`encodes ${n} as ${JSON.stringify(hex)}`, () => {
      expect(toHex(encodeScriptNum(n))).toBe(hex);
      expect(decodeScriptNum(encodeScriptNum(n))).toBe(BigInt(n));
    });
  }

  it('round-trips and is minimal for any integer', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (n) => {
        const encoded = encodeScriptNum(n);
        expect(decodeScriptNum(encoded)).toBe(n);
        expect(isMinimal(encoded)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts bigints and numbers alike', () => {
    expect(encodeScriptNum(144n)).toEqual(encodeScriptNum(144));
  });

  it('refuses numbers that are not exact integers', () => {
    expectVigilError(() => encodeScriptNum(1.5), ValidationError, 'scriptNum', /safe integer/);
    expectVigilError(() => encodeScriptNum(Number.NaN), ValidationError, 'scriptNum');
    expectVigilError(() => encodeScriptNum(2 ** 53), ValidationError, 'scriptNum');
    expectVigilError(() => scriptNumChunk(Infinity), ValidationError, 'scriptNum');
  });

  it('pushes small numbers with their opcodes', () => {
    expect(scriptNumChunk(0)).toBe(OP['0']);
    expect(scriptNumChunk(-1)).toBe(OP['1NEGATE']);
    for (let n = 1; n <= 16; n++) expect(scriptNumChunk(n)).toBe(OP['1'] + n - 1);
    expect(scriptNumChunk(17)).toEqual(Uint8Array.of(0x11));
    expect(scriptNumChunk(-2)).toEqual(Uint8Array.of(0x82));
    // BOLT 3's `<to_self_delay> OP_CHECKSEQUENCEVERIFY` with a delay of 144 blocks.
    expect(toHex(compileScript([scriptNumChunk(144), OP.CHECKSEQUENCEVERIFY]))).toBe('029000b2');
  });
});

/** CScriptNum decoding, written independently of the encoder: little-endian sign-magnitude. */
function decodeScriptNum(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let magnitude = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) magnitude = (magnitude << 8n) | BigInt(bytes[i]!);
  const signBit = 0x80n << BigInt(8 * (bytes.length - 1));
  return magnitude & signBit ? -(magnitude & ~signBit) : magnitude;
}

/** The interpreter's minimal-encoding rule: no needless trailing zero (or sign-only) byte. */
function isMinimal(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  if ((bytes[bytes.length - 1]! & 0x7f) !== 0) return true;
  return bytes.length > 1 && (bytes[bytes.length - 2]! & 0x80) !== 0;
}

describe('output-script templates', () => {
  // Keys and scripts from the BIP 143 examples.
  const p2wpkhKey = fromHex('025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357');
  const nestedKey = fromHex('03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873');
  const witnessScript = fromHex(
    '21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac',
  );
  const multisig = fromHex(
    '56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab54554ae8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1dfe69f492580ca4195f50376ba4a21033400f6afecb833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967a8f42103a6d48b1131e94ba04d9737d61acdaa1322008af9602b3b14862c07a1789aac162102d8b661b0b3302ee2f162b09e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae',
  );

  it('builds P2WPKH from a key hash (BIP 143 native P2WPKH)', () => {
    expect(toHex(p2wpkhScript(hash160(p2wpkhKey)))).toBe('00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1');
  });

  it('builds P2SH-P2WPKH (BIP 143)', () => {
    const redeemScript = p2wpkhScript(hash160(nestedKey));
    expect(toHex(redeemScript)).toBe('001479091972186c449eb1ded22b78e40d009bdf0089');
    expect(toHex(p2shScript(hash160(redeemScript)))).toBe('a9144733f37cf4db86fbc2efed2500b4f4e49f31202387');
  });

  it('builds P2WSH and P2SH-P2WSH (BIP 143)', () => {
    expect(toHex(p2wshScript(witnessScript))).toBe(
      '00205d1b56b63d714eebe542309525f484b7e9d6f686b3781b6f61ef925d66d6f6a0',
    );
    const redeemScript = p2wshScript(multisig);
    expect(toHex(redeemScript)).toBe('0020a16b5755f7f6f96dbd65f5f0d6ab9418b89af4b1f14a1bb8a09062c35f0dcb54');
    expect(toHex(p2shScript(hash160(redeemScript)))).toBe('a9149993a429037b5d912407a71c252019287b8d27a587');
  });

  it('builds P2PKH', () => {
    expect(toHex(p2pkhScript(fromHex('1d0f172a0ecb48aee1be1f2687d2963ae33f71a1')))).toBe(
      '76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac',
    );
  });

  it('builds P2TR and other witness versions (BIP 350 vectors)', () => {
    const outputKey = fromHex('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
    expect(toHex(p2trScript(outputKey))).toBe(`5120${toHex(outputKey)}`);
    expect(toHex(witnessProgramScript(16, fromHex('751e')))).toBe('6002751e');
    expect(toHex(witnessProgramScript(2, fromHex('751e76e8199196d454941c45d1b3a323')))).toBe(
      '5210751e76e8199196d454941c45d1b3a323',
    );
  });

  it('refuses hashes, keys and programs of the wrong size', () => {
    expectVigilError(
      () => p2pkhScript(new Uint8Array(19)),
      ValidationError,
      'pubkeyHash',
      /expected 20 bytes, got 19/,
    );
    expectVigilError(
      () => p2shScript(new Uint8Array(32)),
      ValidationError,
      'scriptHash',
      /expected 20 bytes, got 32/,
    );
    expectVigilError(() => p2wpkhScript(new Uint8Array(21)), ValidationError, 'pubkeyHash');
    expectVigilError(
      () => p2trScript(new Uint8Array(33)),
      ValidationError,
      'outputKey',
      /expected 32 bytes, got 33/,
    );
    expectVigilError(() => witnessProgramScript(17, new Uint8Array(32)), ValidationError, 'witnessVersion');
    expectVigilError(() => witnessProgramScript(-1, new Uint8Array(32)), ValidationError, 'witnessVersion');
    expectVigilError(
      () => witnessProgramScript(1, new Uint8Array(1)),
      ValidationError,
      'witnessProgram',
      /2 to 40/,
    );
    expectVigilError(
      () => witnessProgramScript(1, new Uint8Array(41)),
      ValidationError,
      'witnessProgram',
      /2 to 40/,
    );
    expectVigilError(
      () => witnessProgramScript(0, new Uint8Array(21)),
      ValidationError,
      'witnessProgram',
      /20 or 32/,
    );
  });
});

describe('parseWitnessProgram (BIP 141)', () => {
  it('recognises every version with the smallest and largest programs', () => {
    for (let version = 0; version <= 16; version++) {
      for (const length of version === 0 ? [20, 32] : [2, 40]) {
        const program = filler(length);
        expect(parseWitnessProgram(witnessProgramScript(version, program))).toEqual({ version, program });
      }
    }
  });

  it('follows the consensus rule, not the address rule, for version 0 lengths', () => {
    // A 25-byte v0 program is a witness program (that always fails), not an arbitrary script.
    expect(parseWitnessProgram(concatBytes(Uint8Array.of(0x00, 25), filler(25)))).toEqual({
      version: 0,
      program: filler(25),
    });
  });

  const notPrograms: [string, string][] = [
    ['a 3-byte script', '0001aa'],
    ['a 43-byte script', `0029${hexOf(41)}`],
    ['OP_1NEGATE as the version', `4f14${hexOf(20)}`],
    ['OP_RESERVED as the version', `5014${hexOf(20)}`],
    ['a push length that disagrees with the script', `0014${hexOf(19)}`],
    ['a PUSHDATA1 push of the program', `004c14${hexOf(20)}`],
    ['P2PKH', '76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac'],
    ['a program followed by another opcode', `0014${hexOf(20)}ac`],
  ];
  for (const [name, hex] of notPrograms) {
    it(`rejects ${name}`, () => {
      expect(parseWitnessProgram(fromHex(hex))).toBeUndefined();
    });
  }

  it('agrees with the template on random scripts', () => {
    const candidate = fc.oneof(
      fc.uint8Array({ maxLength: 45 }),
      fc
        .tuple(fc.integer({ min: 0, max: 0xff }), fc.uint8Array({ minLength: 2, maxLength: 40 }))
        .map(([op, program]) => concatBytes(Uint8Array.of(op, program.length), program)),
    );
    fc.assert(
      fc.property(candidate, (script) => {
        const parsed = parseWitnessProgram(script);
        if (parsed === undefined) return;
        expect(parsed.program.length + 2).toBe(script.length);
        if (parsed.version !== 0 || parsed.program.length === 20 || parsed.program.length === 32) {
          expect(witnessProgramScript(parsed.version, parsed.program)).toEqual(script);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
