/**
 * How vigil-regtest writes and reads values at the RPC edge, checked against bitcoind's own output:
 * JSON amounts as exact 8-decimal literals and doubles with 16 significant digits, FormatMoney and
 * feerate strings, script `asm`, inferred descriptors with their BIP 380 checksums (compared with
 * real bitcoind regtest output), and amount parsing (`AmountFromValue`).
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { scriptToAsm } from '../../src/chain/regtest/asm.js';
import { withChecksum } from '../../src/chain/regtest/descriptor.js';
import { btc, stringifyJson } from '../../src/chain/regtest/json.js';
import { formatFeeRate, formatMoney } from '../../src/chain/regtest/money.js';
import { RpcError } from '../../src/chain/regtest/rpc-errors.js';
import { amountFromValue } from '../../src/chain/regtest/rpc-params.js';
import { scriptPubKeyToJson } from '../../src/chain/regtest/tx-json.js';

describe('JSON writer', () => {
  it('writes amounts exactly with eight decimals, never as binary floats', () => {
    expect(stringifyJson({ a: btc(5_000_000_000n), b: btc(1n), c: btc(-123_456_789n), d: btc(0n) })).toBe(
      '{"a":50.00000000,"b":0.00000001,"c":-1.23456789,"d":0.00000000}',
    );
  });

  it('writes other non-integers with 16 significant digits like UniValue, and leaves out undefined fields', () => {
    expect(stringifyJson([4.6565423739069247e-10, 0.5, 1, 1e21, 123.25])).toBe(
      '[4.656542373906925e-10,0.5,1,1e+21,123.25]',
    );
    expect(stringifyJson({ kept: null, dropped: undefined, s: 'a"b' })).toBe('{"kept":null,"s":"a\\"b"}');
  });

  it('pretty-prints with an indent as UniValue write(4) does', () => {
    expect(stringifyJson({ a: 1, b: [true] }, 4)).toBe('{\n    "a": 1,\n    "b": [\n        true\n    ]\n}');
  });
});

describe('FormatMoney and CFeeRate::ToString', () => {
  it.each([
    [0n, '0.00'],
    [1n, '0.00000001'],
    [110n, '0.0000011'],
    [3000n, '0.00003'],
    [100_000_000n, '1.00'],
    [110_000_000n, '1.10'],
    [-5n, '-0.00000005'],
  ])('FormatMoney(%i) is %s', (sat, text) => {
    expect(formatMoney(sat)).toBe(text);
  });

  it('prints feerates with eight decimals and the unit', () => {
    expect(formatFeeRate(9090n)).toBe('0.00009090 BTC/kvB');
  });
});

describe('script asm', () => {
  it('prints small pushes as numbers, OP_n as digits, other opcodes by name', () => {
    expect(scriptToAsm(fromHex('76a914f66bcc7b6238eff7e548553b19611c234ddfe4a488ac'))).toBe(
      'OP_DUP OP_HASH160 f66bcc7b6238eff7e548553b19611c234ddfe4a4 OP_EQUALVERIFY OP_CHECKSIG',
    );
    expect(scriptToAsm(fromHex('5102e80303ffffff0081bbff'))).toBe(
      '1 1000 -8388607 0 OP_RIGHT OP_UNKNOWN OP_INVALIDOPCODE',
    );
    expect(scriptToAsm(fromHex('4f0401020304'))).toBe('-1 67305985');
  });

  it('marks a push that runs past the end', () => {
    expect(scriptToAsm(fromHex('5105aabb'))).toBe('1 [error]');
  });

  it('decodes the sighash type of a signature in a scriptSig only', () => {
    const sig =
      '3044022062a8de3e0a2f8ef8a8e4a5f2a2b8a40d6ecf3e1a2b5ba64e1d2e5ad8e2a5f9c502203a2b8ac2a4b4c4d8e6f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d501';
    const push = fromHex(`47${sig}`);
    expect(scriptToAsm(push, true)).toBe(`${sig.slice(0, -2)}[ALL]`);
    expect(scriptToAsm(push, false)).toBe(sig);
  });
});

describe('descriptors', () => {
  it('computes the BIP 380 checksum of its test vector', () => {
    expect(withChecksum('raw(deadbeef)')).toBe('raw(deadbeef)#89f8spxm');
  });

  it.each([
    [
      '0014f66bcc7b6238eff7e548553b19611c234ddfe4a4',
      'addr(bcrt1q7e4uc7mz8rhl0e2g25a3jcguydxale9yrnl4cz)#xps6m4ne',
      'witness_v0_keyhash',
    ],
    [
      '0020657760ca015175e42ff5b4470563b23adcf0d2973a0506a176a5569690d64437',
      'addr(bcrt1qv4mkpjsp2967gtl4k3rs2caj8tw0p55h8gzsdgtk54tfdyxkgsmsvc0c37)#xfhwt3ez',
      'witness_v0_scripthash',
    ],
  ])('describes %s as bitcoind regtest does', (hex, desc, type) => {
    expect(scriptPubKeyToJson(fromHex(hex))).toMatchObject({ desc, hex, type, asm: `0 ${hex.slice(4)}` });
  });

  it('uses raw() for scripts without an address and rawtr() for taproot', () => {
    expect(scriptPubKeyToJson(fromHex('6a0102'))).toMatchObject({ type: 'nulldata', address: undefined });
    expect((scriptPubKeyToJson(fromHex('6a0102')) as { desc: string }).desc).toMatch(/^raw\(6a0102\)#/);
    const taproot = `5120${'11'.repeat(32)}`;
    expect((scriptPubKeyToJson(fromHex(taproot)) as { desc: string }).desc).toMatch(/^rawtr\(1{64}\)#/);
  });
});

describe('AmountFromValue', () => {
  it.each([
    [0.1, 10_000_000n],
    ['0.1', 10_000_000n],
    [1e-8, 1n],
    ['21000000', 2_100_000_000_000_000n],
    ['1.5e-3', 150_000n],
  ])('reads %s as %i sat', (value, sat) => {
    expect(amountFromValue(value)).toBe(sat);
  });

  it.each([
    ['0.000000001', 'Invalid amount'],
    ['abc', 'Invalid amount'],
    [21_000_001, 'Amount out of range'],
    [-1, 'Amount out of range'],
    [true, 'Amount is not a number or string'],
  ])('refuses %s: %s (-3)', (value, message) => {
    let caught: unknown;
    try {
      amountFromValue(value);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RpcError);
    expect([(caught as RpcError).code, (caught as RpcError).message]).toEqual([-3, message]);
  });
});
