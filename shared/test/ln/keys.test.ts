import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { ValidationError } from '../../src/errors.js';
import { sha256 } from '../../src/bitcoin/hash.js';
import { pubkeyFromPrivkey } from '../../src/bitcoin/secp256k1.js';
import {
  derivePrivkey,
  derivePubkey,
  deriveRevocationPrivkey,
  deriveRevocationPubkey,
  perCommitmentPointFromSecret,
} from '../../src/ln/keys.js';
import { loadVectors } from '../vectors.js';

type Hex = Record<string, string>;

interface KeyDerivationVectors {
  shared: {
    base_secret: string;
    per_commitment_secret: string;
    base_point: string;
    per_commitment_point: string;
  };
  cases: { name: string; kind: string; inputs: Hex; expected: Hex }[];
}

interface CommitmentVectors {
  params: Hex & { internal_from_html_comment: Hex };
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytes32 = (value: bigint) => fromHex(value.toString(16).padStart(64, '0'));

const vectors = loadVectors<KeyDerivationVectors>('bolt03-key-derivation.json');
const { shared } = vectors;

/** How each `kind` of Appendix E case is computed, and the expected field it yields. */
const DERIVATIONS: Record<string, { output: string; derive: (inputs: Hex) => Uint8Array }> = {
  pubkey: {
    output: 'localpubkey',
    derive: (i) => derivePubkey(hex(i, 'basepoint'), hex(i, 'per_commitment_point')),
  },
  privkey: {
    output: 'localprivkey',
    derive: (i) => derivePrivkey(hex(i, 'basepoint_secret'), hex(i, 'per_commitment_point')),
  },
  revocation_pubkey: {
    output: 'revocationpubkey',
    derive: (i) => deriveRevocationPubkey(hex(i, 'revocation_basepoint'), hex(i, 'per_commitment_point')),
  },
  revocation_privkey: {
    output: 'revocationprivkey',
    derive: (i) =>
      deriveRevocationPrivkey(hex(i, 'revocation_basepoint_secret'), hex(i, 'per_commitment_secret')),
  },
};

function hex(values: Hex, name: string): Uint8Array {
  const value = values[name];
  if (value === undefined) throw new Error(`vector has no ${name}`);
  return fromHex(value, name);
}

describe('BOLT 3 Appendix E key derivation vectors', () => {
  it('shared points: base_point = base_secret*G, per_commitment_point = per_commitment_secret*G', () => {
    expect(toHex(pubkeyFromPrivkey(fromHex(shared.base_secret)))).toBe(shared.base_point);
    expect(toHex(perCommitmentPointFromSecret(fromHex(shared.per_commitment_secret)))).toBe(
      shared.per_commitment_point,
    );
  });

  for (const vector of vectors.cases) {
    it(vector.name, () => {
      const derivation = DERIVATIONS[vector.kind];
      if (derivation === undefined) throw new Error(`unknown vector kind ${vector.kind}`);
      expect(toHex(derivation.derive(vector.inputs))).toBe(vector.expected[derivation.output]);
    });
  }
});

describe('BOLT 3 Appendix C keys', () => {
  const { params } = loadVectors<CommitmentVectors>('bolt03-commitment-static-remotekey.json');
  const internal = params.internal_from_html_comment;
  const point = hex(internal, 'local_per_commitment_point');

  it('local_per_commitment_point from local_per_commitment_secret', () => {
    expect(perCommitmentPointFromSecret(hex(internal, 'local_per_commitment_secret'))).toEqual(point);
  });

  it('local_htlcpubkey and local_privkey from the local basepoint', () => {
    expect(derivePubkey(hex(params, 'local_htlc_basepoint'), point)).toEqual(hex(params, 'local_htlcpubkey'));
    expect(derivePrivkey(hex(internal, 'local_payment_basepoint_secret'), point)).toEqual(
      hex(params, 'local_privkey'),
    );
  });

  it('remote_htlcpubkey and remote_privkey from the remote basepoint', () => {
    expect(derivePubkey(hex(params, 'remote_htlc_basepoint'), point)).toEqual(
      hex(params, 'remote_htlcpubkey'),
    );
    expect(derivePrivkey(hex(internal, 'remote_payment_basepoint_secret'), point)).toEqual(
      hex(internal, 'remote_privkey'),
    );
  });

  it('local_delayedpubkey and its private key', () => {
    const basepoint = hex(internal, 'local_delayed_payment_basepoint');
    expect(derivePubkey(basepoint, point)).toEqual(hex(params, 'local_delayedpubkey'));
    expect(derivePrivkey(hex(internal, 'local_delayed_payment_basepoint_secret'), point)).toEqual(
      hex(internal, 'local_delayed_privkey'),
    );
  });

  it('local_revocation_pubkey from the remote revocation basepoint', () => {
    const basepoint = hex(internal, 'remote_revocation_basepoint');
    expect(deriveRevocationPubkey(basepoint, point)).toEqual(hex(params, 'local_revocation_pubkey'));
    const privkey = deriveRevocationPrivkey(
      hex(internal, 'remote_revocation_basepoint_secret'),
      hex(internal, 'local_per_commitment_secret'),
    );
    expect(pubkeyFromPrivkey(privkey)).toEqual(hex(params, 'local_revocation_pubkey'));
  });
});

describe('derived private keys match derived public keys (property)', () => {
  const secret = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((seed) => sha256(seed));

  it('derivePrivkey * G = derivePubkey', () => {
    fc.assert(
      fc.property(secret, secret, (baseSecret, commitmentSecret) => {
        const commitmentPoint = perCommitmentPointFromSecret(commitmentSecret);
        const privkey = derivePrivkey(baseSecret, commitmentPoint);
        expect(pubkeyFromPrivkey(privkey)).toEqual(
          derivePubkey(pubkeyFromPrivkey(baseSecret), commitmentPoint),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('deriveRevocationPrivkey * G = deriveRevocationPubkey', () => {
    fc.assert(
      fc.property(secret, secret, (baseSecret, commitmentSecret) => {
        const privkey = deriveRevocationPrivkey(baseSecret, commitmentSecret);
        const pubkey = deriveRevocationPubkey(
          pubkeyFromPrivkey(baseSecret),
          perCommitmentPointFromSecret(commitmentSecret),
        );
        expect(pubkeyFromPrivkey(privkey)).toEqual(pubkey);
      }),
      { numRuns: 25 },
    );
  });
});

describe('input validation names the field', () => {
  const point = fromHex(shared.per_commitment_point);
  const basepoint = fromHex(shared.base_point);
  const secret = fromHex(shared.base_secret);
  const offCurve = fromHex('02' + '00'.repeat(31) + '05');
  const cases: [string, () => unknown, ValidationError][] = [
    [
      'a 32-byte basepoint',
      () => derivePubkey(basepoint.subarray(1), point),
      new ValidationError('basepoint', 'expected 33 bytes, got 32'),
    ],
    [
      'a per_commitment_point not on the curve',
      () => derivePubkey(basepoint, offCurve),
      new ValidationError('per_commitment_point', 'is not a point on secp256k1'),
    ],
    [
      'an uncompressed-prefix revocation_basepoint',
      () => deriveRevocationPubkey(concatBytes(Uint8Array.of(4), basepoint.subarray(1)), point),
      new ValidationError(
        'revocation_basepoint',
        'expected a compressed public key (prefix 02 or 03), got prefix 04',
      ),
    ],
    [
      'a per_commitment_point not on the curve (revocation)',
      () => deriveRevocationPubkey(basepoint, offCurve),
      new ValidationError('per_commitment_point', 'is not a point on secp256k1'),
    ],
    [
      'a basepoint_secret equal to n',
      () => derivePrivkey(bytes32(N), point),
      new ValidationError('basepoint_secret', 'must be below the curve order n'),
    ],
    [
      'a 31-byte basepoint_secret',
      () => derivePrivkey(secret.subarray(1), point),
      new ValidationError('basepoint_secret', 'expected 32 bytes, got 31'),
    ],
    [
      'a zero revocation_basepoint_secret',
      () => deriveRevocationPrivkey(new Uint8Array(32), secret),
      new ValidationError('revocation_basepoint_secret', 'must not be zero'),
    ],
    [
      'a per_commitment_secret above n',
      () => deriveRevocationPrivkey(secret, bytes32(N + 1n)),
      new ValidationError('per_commitment_secret', 'must be below the curve order n'),
    ],
    [
      'a 33-byte per_commitment_secret',
      () => perCommitmentPointFromSecret(concatBytes(secret, Uint8Array.of(0))),
      new ValidationError('per_commitment_secret', 'expected 32 bytes, got 33'),
    ],
  ];
  for (const [name, call, error] of cases) {
    it(name, () => {
      expect(call).toThrow(error);
    });
  }
});
