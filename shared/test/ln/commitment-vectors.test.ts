/**
 * BOLT 3 Appendix C: every commitment transaction and every HTLC transaction rebuilt from the
 * channel parameters, signed with the spec's keys, and compared byte for byte with the spec.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { decodeDer, encodeDerWithSighash } from '../../src/bitcoin/der.js';
import { SIGHASH_ALL } from '../../src/bitcoin/sighash.js';
import { signSegwitV0Input, verifySegwitV0Input } from '../../src/bitcoin/sign.js';
import { encodeTx, txid, txidFromHex, withInputWitness } from '../../src/bitcoin/tx.js';
import { buildCommitment, type BuiltCommitment, type CommitmentHtlc } from '../../src/ln/commitment.js';
import { commitmentObscuringFactor } from '../../src/ln/commitment-number.js';
import { fundingSpendWitness } from '../../src/ln/funding.js';
import { buildHtlcTx, htlcTxWitness } from '../../src/ln/htlc-tx.js';
import { fundingScript } from '../../src/ln/scripts.js';
import { loadVectors } from '../vectors.js';

interface VectorHtlc {
  id: number;
  amount_msat: number;
  cltv_expiry: number;
  payment_preimage: string;
  payment_hash: string;
  output_type_in_local_commitment: 'offered' | 'received';
}
interface VectorHtlcTx {
  output_index: number;
  type: 'htlc-success' | 'htlc-timeout';
  htlc_id: number;
  remote_htlc_signature: string;
  local_htlc_signature: string;
  htlc_tx: string;
}
interface VectorCase {
  name: string;
  feerate_per_kw: number;
  to_local_msat: number;
  to_remote_msat: number;
  dust_limit_satoshi: number;
  pending_htlc_ids: number[];
  /** Absent from the last case, which the spec prints without fee comments. */
  base_commitment_fee_sat?: number;
  actual_commitment_fee_sat?: number;
  remote_signature: string;
  local_signature: string;
  output_commit_tx: string;
  htlcs: VectorHtlcTx[];
}
interface CommitmentVectors {
  params: Record<string, string | number>;
  htlcs: VectorHtlc[];
  cases: VectorCase[];
}

const vectors = loadVectors<CommitmentVectors>('bolt03-commitment-static-remotekey.json');
const p = vectors.params;
const hex = (name: string) => fromHex(String(p[name]), name);

const fundingValueSat = BigInt(p['funding_amount_satoshi']!);
const localFundingPubkey = hex('local_funding_pubkey');
const remoteFundingPubkey = hex('remote_funding_pubkey');
const fundingWitnessScript = fundingScript(localFundingPubkey, remoteFundingPubkey);
const keys = {
  revocationPubkey: hex('local_revocation_pubkey'),
  broadcasterHtlcPubkey: hex('local_htlcpubkey'),
  countersignatoryHtlcPubkey: hex('remote_htlcpubkey'),
  broadcasterDelayedPubkey: hex('local_delayedpubkey'),
  countersignatoryPaymentBasepoint: hex('remote_payment_basepoint'),
};
const toSelfDelay = Number(p['local_delay']);
// The local HTLC key's secret: the spec derives local_privkey from the payment basepoint secret,
// and its HTLC basepoint equals its payment basepoint.
const localHtlcPrivkey = hex('local_privkey');

/** The vector's HTLC list as the local (broadcaster) side sees it. */
function commitmentHtlcs(ids: readonly number[]): CommitmentHtlc[] {
  return ids.map((id) => {
    const h = vectors.htlcs.find((x) => x.id === id)!;
    return {
      offered: h.output_type_in_local_commitment === 'offered',
      amountMsat: BigInt(h.amount_msat),
      paymentHash: fromHex(h.payment_hash),
      cltvExpiry: h.cltv_expiry,
    };
  });
}

function build(c: VectorCase): BuiltCommitment {
  return buildCommitment({
    fundingOutpoint: {
      txid: txidFromHex(String(p['funding_tx_id'])),
      vout: Number(p['funding_output_index']),
    },
    commitmentNumber: Number(p['commitment_number']),
    obscuringFactor: commitmentObscuringFactor(
      hex('local_payment_basepoint'),
      hex('remote_payment_basepoint'),
    ),
    feeratePerKw: c.feerate_per_kw,
    dustLimitSat: BigInt(c.dust_limit_satoshi),
    toSelfDelay,
    broadcasterIsFunder: true,
    toBroadcasterMsat: BigInt(c.to_local_msat),
    toCountersignatoryMsat: BigInt(c.to_remote_msat),
    htlcs: commitmentHtlcs(c.pending_htlc_ids),
    keys,
  });
}

const witnessSig = (der: string) =>
  encodeDerWithSighash(decodeDer(fromHex(der), 'vector signature'), SIGHASH_ALL);

describe('BOLT 3 Appendix C parameters', () => {
  it('derives the obscuring factor from both payment basepoints', () => {
    expect(commitmentObscuringFactor(hex('local_payment_basepoint'), hex('remote_payment_basepoint'))).toBe(
      Number(p['obscuring_factor_int']),
    );
  });

  it('builds the funding witness script', () => {
    expect(toHex(fundingWitnessScript)).toBe(p['funding_witness_script']);
  });
});

describe('BOLT 3 Appendix C commitment transactions', () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const built = build(c);
    const spent = { scriptCode: fundingWitnessScript, valueSat: fundingValueSat };
    const localSig = signSegwitV0Input(built.tx, 0, spent, hex('local_funding_privkey'));
    expect(toHex(localSig)).toBe(`${c.local_signature}01`);
    const remoteSig = witnessSig(c.remote_signature);
    expect(verifySegwitV0Input(built.tx, 0, spent, remoteSig, remoteFundingPubkey)).toBe(true);

    const witness = fundingSpendWitness(
      { pubkey: localFundingPubkey, signature: localSig },
      { pubkey: remoteFundingPubkey, signature: remoteSig },
    );
    const signed = withInputWitness(built.tx, 0, witness);
    expect(toHex(encodeTx(signed))).toBe(c.output_commit_tx);

    if (c.base_commitment_fee_sat !== undefined)
      expect(built.baseFeeSat).toBe(BigInt(c.base_commitment_fee_sat));
    if (c.actual_commitment_fee_sat !== undefined) {
      const outputsSat = signed.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
      expect(fundingValueSat - outputsSat).toBe(BigInt(c.actual_commitment_fee_sat));
    }
    expect(built.outputs.filter((o) => o.kind === 'htlc')).toHaveLength(c.htlcs.length);
  });
});

describe('BOLT 3 Appendix C HTLC transactions', () => {
  const htlcCases = vectors.cases.flatMap((c) =>
    c.htlcs.map((h) => [`${c.name}: output ${h.output_index} (${h.type}, htlc ${h.htlc_id})`, c, h] as const),
  );

  it.each(htlcCases)('%s', (_name, c, h) => {
    const built = build(c);
    const output = built.outputs[h.output_index]!;
    if (output.kind !== 'htlc') throw new Error(`output ${h.output_index} is ${output.kind}, not an HTLC`);
    const htlc = commitmentHtlcs(c.pending_htlc_ids)[output.htlcIndex]!;
    expect(c.pending_htlc_ids[output.htlcIndex]).toBe(h.htlc_id);
    expect(htlc.offered).toBe(h.type === 'htlc-timeout');

    const unsigned = buildHtlcTx({
      commitmentTxid: txid(built.tx),
      outputIndex: h.output_index,
      htlc,
      feeratePerKw: c.feerate_per_kw,
      toSelfDelay,
      revocationPubkey: keys.revocationPubkey,
      broadcasterDelayedPubkey: keys.broadcasterDelayedPubkey,
    });
    const spent = { scriptCode: output.witnessScript, valueSat: htlc.amountMsat / 1000n };
    const localSig = signSegwitV0Input(unsigned, 0, spent, localHtlcPrivkey);
    expect(toHex(localSig)).toBe(`${h.local_htlc_signature}01`);
    const remoteSig = witnessSig(h.remote_htlc_signature);
    expect(verifySegwitV0Input(unsigned, 0, spent, remoteSig, keys.countersignatoryHtlcPubkey)).toBe(true);

    const preimage = htlc.offered
      ? undefined
      : fromHex(vectors.htlcs.find((x) => x.id === h.htlc_id)!.payment_preimage);
    const signed = withInputWitness(
      unsigned,
      0,
      htlcTxWitness(remoteSig, localSig, preimage, output.witnessScript),
    );
    expect(toHex(encodeTx(signed))).toBe(h.htlc_tx);
  });
});
