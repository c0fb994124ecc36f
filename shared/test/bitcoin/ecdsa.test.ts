import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { ValidationError } from '../../src/errors.js';
import { decodeDer } from '../../src/bitcoin/der.js';
import { isLowS, normalizeS, signEcdsa, verifyEcdsa } from '../../src/bitcoin/ecdsa.js';
import { sha256 } from '../../src/bitcoin/hash.js';
import { pubkeyFromPrivkey } from '../../src/bitcoin/secp256k1.js';
import { loadVectors } from '../vectors.js';

interface CommitmentVectors {
  params: {
    local_funding_privkey: string;
    remote_funding_privkey: string;
    local_privkey: string;
    internal_from_html_comment: { remote_privkey: string };
  };
  cases: {
    name: string;
    local_signature: string;
    remote_signature: string;
    htlcs: { htlc_id: number; type: string; local_htlc_signature: string; remote_htlc_signature: string }[];
  }[];
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytes32 = (value: bigint) => fromHex(value.toString(16).padStart(64, '0'));

const vectors = loadVectors<CommitmentVectors>('bolt03-commitment-static-remotekey.json');
const { params } = vectors;

function vectorCase(name: string) {
  const found = vectors.cases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no vector case named ${JSON.stringify(name)}`);
  return found;
}

function htlcOf(caseName: string, htlcId: number) {
  const found = vectorCase(caseName).htlcs.find((h) => h.htlc_id === htlcId);
  if (found === undefined) throw new Error(`no HTLC ${htlcId} in ${JSON.stringify(caseName)}`);
  return found;
}

/**
 * BIP 143 SIGHASH_ALL digests of some BOLT 3 Appendix C transactions, computed outside this repo
 * from each transaction, the script it spends (funding_witness_script, or the HTLC output's
 * witness script) and the amount spent. The commitment transaction tests recompute them with
 * Vigil's own sighash code; here they only pin the RFC 6979 signatures.
 */
const SIGNED = (() => {
  const simple = 'simple commitment tx with no HTLCs';
  const fiveHtlcs = 'commitment tx with all five HTLCs untrimmed (minimum feerate)';
  const sameHash = 'commitment tx with 3 htlc outputs, 2 offered having the same amount and preimage';
  const simpleSighash = '353e6b480ce775a7c0d3fa67e293b23ce1c8596f8e308e199d379895593e3da3';
  const htlcSighash = '8ef8c1c31b52e24bf9fc1b6d24458abf6a99a5422ec4d4dccff63130c370ed50';
  const htlc0 = htlcOf(fiveHtlcs, 0);
  return [
    {
      name: `${simple}: local_signature`,
      sighash: simpleSighash,
      privkey: params.local_funding_privkey,
      der: vectorCase(simple).local_signature,
    },
    {
      name: `${simple}: remote_signature`,
      sighash: simpleSighash,
      privkey: params.remote_funding_privkey,
      der: vectorCase(simple).remote_signature,
    },
    {
      name: `${fiveHtlcs}: local_signature`,
      sighash: 'c3d3c85866a180d0b685a407670d27744ab25e7ea12bab1a7289f51ab608a7ca',
      privkey: params.local_funding_privkey,
      der: vectorCase(fiveHtlcs).local_signature,
    },
    {
      name: `${fiveHtlcs}: ${htlc0.type} tx for HTLC 0: local_htlc_signature`,
      sighash: htlcSighash,
      privkey: params.local_privkey,
      der: htlc0.local_htlc_signature,
    },
    {
      name: `${fiveHtlcs}: ${htlc0.type} tx for HTLC 0: remote_htlc_signature`,
      sighash: htlcSighash,
      privkey: params.internal_from_html_comment.remote_privkey,
      der: htlc0.remote_htlc_signature,
    },
    {
      name: `${sameHash}: local_signature`,
      sighash: '30519899dd887cc4951a86e054fcf8539a602dbc8dcfbc2720d52358da28910a',
      privkey: params.local_funding_privkey,
      der: vectorCase(sameHash).local_signature,
    },
  ];
})();

describe('signEcdsa reproduces the BOLT 3 Appendix C signatures', () => {
  for (const vector of SIGNED) {
    it(vector.name, () => {
      const hash = fromHex(vector.sighash);
      const privkey = fromHex(vector.privkey);
      const expected = decodeDer(fromHex(vector.der), 'der');
      expect(signEcdsa(hash, privkey)).toEqual(expected);
      expect(verifyEcdsa(expected, hash, pubkeyFromPrivkey(privkey))).toBe(true);
    });
  }
});

const PRIVKEY = fromHex(params.local_funding_privkey);
const PUBKEY = pubkeyFromPrivkey(PRIVKEY);
const HASH = sha256(new TextEncoder().encode('vigil'));
const SIG = signEcdsa(HASH, PRIVKEY);

function highSTwin(sig: Uint8Array): Uint8Array {
  const s = BigInt('0x' + toHex(sig.subarray(32)));
  return concatBytes(sig.subarray(0, 32), bytes32(N - s));
}

describe('signEcdsa / verifyEcdsa', () => {
  it('signs deterministically with low S and verifies (property)', () => {
    const key = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((seed) => sha256(seed));
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(key, hash, (privkey, msg) => {
        const sig = signEcdsa(msg, privkey);
        expect(sig).toHaveLength(64);
        expect(signEcdsa(msg, privkey)).toEqual(sig);
        expect(isLowS(sig)).toBe(true);
        expect(verifyEcdsa(sig, msg, pubkeyFromPrivkey(privkey))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects the high-S twin of a valid signature', () => {
    const high = highSTwin(SIG);
    expect(isLowS(high)).toBe(false);
    expect(verifyEcdsa(high, HASH, PUBKEY)).toBe(false);
  });

  it('rejects a modified hash', () => {
    const other = Uint8Array.from(HASH);
    other[0] = other[0]! ^ 1;
    expect(verifyEcdsa(SIG, other, PUBKEY)).toBe(false);
  });

  it('rejects the wrong public key', () => {
    const otherPubkey = pubkeyFromPrivkey(fromHex(params.remote_funding_privkey));
    expect(verifyEcdsa(SIG, HASH, otherPubkey)).toBe(false);
  });

  it('treats r or s of zero or at least n as an invalid signature, not an error', () => {
    const zero = new Uint8Array(32);
    expect(verifyEcdsa(concatBytes(zero, SIG.subarray(32)), HASH, PUBKEY)).toBe(false);
    expect(verifyEcdsa(concatBytes(SIG.subarray(0, 32), zero), HASH, PUBKEY)).toBe(false);
    expect(verifyEcdsa(concatBytes(bytes32(N), SIG.subarray(32)), HASH, PUBKEY)).toBe(false);
    expect(verifyEcdsa(concatBytes(SIG.subarray(0, 32), bytes32(N)), HASH, PUBKEY)).toBe(false);
  });
});

describe('isLowS / normalizeS', () => {
  it('leaves a low-S signature as it is, in a copy', () => {
    const normalized = normalizeS(SIG);
    expect(normalized).toEqual(SIG);
    expect(normalized).not.toBe(SIG);
  });

  it('turns the high-S twin back into the signature', () => {
    expect(normalizeS(highSTwin(SIG))).toEqual(SIG);
  });

  it('puts n/2 in the low half and n/2 + 1 in the high half', () => {
    const r = SIG.subarray(0, 32);
    expect(isLowS(concatBytes(r, bytes32(N / 2n)))).toBe(true);
    expect(isLowS(concatBytes(r, bytes32(N / 2n + 1n)))).toBe(false);
  });

  it('rejects an s that is not below n', () => {
    expect(() => isLowS(concatBytes(SIG.subarray(0, 32), bytes32(N)))).toThrow(
      new ValidationError('sig.s', 'must be below the curve order n'),
    );
  });
});

describe('input validation names the field', () => {
  const cases: [string, () => unknown, ValidationError][] = [
    [
      'a 31-byte hash to sign',
      () => signEcdsa(HASH.subarray(1), PRIVKEY),
      new ValidationError('hash', 'expected 32 bytes, got 31'),
    ],
    [
      'a 33-byte private key',
      () => signEcdsa(HASH, concatBytes(PRIVKEY, Uint8Array.of(1))),
      new ValidationError('privkey', 'expected 32 bytes, got 33'),
    ],
    [
      'a zero private key',
      () => signEcdsa(HASH, new Uint8Array(32)),
      new ValidationError('privkey', 'must not be zero'),
    ],
    [
      'a private key equal to n',
      () => signEcdsa(HASH, bytes32(N)),
      new ValidationError('privkey', 'must be below the curve order n'),
    ],
    [
      'a 63-byte signature',
      () => verifyEcdsa(SIG.subarray(1), HASH, PUBKEY),
      new ValidationError('sig', 'expected 64 bytes, got 63'),
    ],
    [
      'a 33-byte hash to verify',
      () => verifyEcdsa(SIG, concatBytes(HASH, Uint8Array.of(0)), PUBKEY),
      new ValidationError('hash', 'expected 32 bytes, got 33'),
    ],
    [
      'an uncompressed public key',
      () => verifyEcdsa(SIG, HASH, new Uint8Array(65)),
      new ValidationError('pubkey', 'expected 33 bytes, got 65'),
    ],
    [
      'a public key with prefix 04',
      () => verifyEcdsa(SIG, HASH, withPrefix(PUBKEY, 0x04)),
      new ValidationError('pubkey', 'expected a compressed public key (prefix 02 or 03), got prefix 04'),
    ],
    [
      'an x coordinate not on the curve',
      () => verifyEcdsa(SIG, HASH, fromHex('02' + '00'.repeat(31) + '05')),
      new ValidationError('pubkey', 'is not a point on secp256k1'),
    ],
    [
      'an x coordinate not below p',
      () => verifyEcdsa(SIG, HASH, fromHex('03' + 'ff'.repeat(32))),
      new ValidationError('pubkey', 'is not a point on secp256k1'),
    ],
    [
      'a 65-byte signature to normalize',
      () => normalizeS(concatBytes(SIG, Uint8Array.of(1))),
      new ValidationError('sig', 'expected 64 bytes, got 65'),
    ],
  ];
  for (const [name, call, error] of cases) {
    it(name, () => {
      expect(call).toThrow(error);
    });
  }
});

function withPrefix(pubkey: Uint8Array, prefix: number): Uint8Array {
  const out = Uint8Array.from(pubkey);
  out[0] = prefix;
  return out;
}
