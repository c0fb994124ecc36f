/**
 * BOLT 3 Appendix C: every commitment transaction and every HTLC transaction rebuilt from the
 * channel parameters, signed with the spec's keys, and compared byte for byte with the spec.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { decodeDer, encodeDerWithSighash } from '../../src/bitcoin/der.js';
import { SIGHASH_ALL } from '../../src/bitcoin/sighash.js';
import { signSegwitV0Input, verifySegwitV0Input } from '../../src/bitcoin/sign.js';
import { encodeTx, txidFromHex, withInputWitness } from '../../src/bitcoin/tx.js';
import { pubkeyFromPrivkey } from '../../src/bitcoin/secp256k1.js';
import {
  buildHtlcTxs,
  buildSideCommitment,
  type ChannelParameters,
  obscuringFactor,
  type SideCommitment,
} from '../../src/ln/channel-parameters.js';
import type { CommitmentHtlc } from '../../src/ln/commitment.js';
import { fundingSpendWitness } from '../../src/ln/funding.js';
import { htlcTxWitness } from '../../src/ln/htlc-tx.js';
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
const internal = p['internal_from_html_comment'] as unknown as Record<string, string>;
// Basepoints the local commitment does not use (the local revocation basepoint, the remote delayed
// basepoint) are not in the spec; any valid point stands in for them.
const unusedBasepoint = pubkeyFromPrivkey(new Uint8Array(32).fill(0x55));
const parameters: ChannelParameters = {
  fundingOutpoint: { txid: txidFromHex(String(p['funding_tx_id'])), vout: Number(p['funding_output_index']) },
  fundingValueSat,
  holderIsFunder: true,
  holderPubkeys: {
    fundingPubkey: localFundingPubkey,
    revocationBasepoint: unusedBasepoint,
    paymentBasepoint: hex('local_payment_basepoint'),
    delayedPaymentBasepoint: fromHex(internal['local_delayed_payment_basepoint']!),
    htlcBasepoint: hex('local_htlc_basepoint'),
  },
  counterpartyPubkeys: {
    fundingPubkey: remoteFundingPubkey,
    revocationBasepoint: fromHex(internal['remote_revocation_basepoint']!),
    paymentBasepoint: hex('remote_payment_basepoint'),
    delayedPaymentBasepoint: unusedBasepoint,
    htlcBasepoint: hex('remote_htlc_basepoint'),
  },
  holderSelectedContestDelay: 6,
  counterpartySelectedContestDelay: Number(p['local_delay']),
  holderDustLimitSat: BigInt(p['local_dust_limit_satoshi']!),
  counterpartyDustLimitSat: 354n,
};
const localPerCommitmentPoint = fromHex(internal['local_per_commitment_point']!);
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

function build(c: VectorCase): SideCommitment {
  if (BigInt(c.dust_limit_satoshi) !== parameters.holderDustLimitSat)
    throw new Error('vector dust limit changed');
  return buildSideCommitment(parameters, 'holder', {
    commitmentNumber: Number(p['commitment_number']),
    perCommitmentPoint: localPerCommitmentPoint,
    feeratePerKw: c.feerate_per_kw,
    toBroadcasterMsat: BigInt(c.to_local_msat),
    toCountersignatoryMsat: BigInt(c.to_remote_msat),
    htlcs: commitmentHtlcs(c.pending_htlc_ids),
  });
}

const witnessSig = (der: string) =>
  encodeDerWithSighash(decodeDer(fromHex(der), 'vector signature'), SIGHASH_ALL);

describe('BOLT 3 Appendix C parameters', () => {
  it('derives the obscuring factor from both payment basepoints', () => {
    expect(obscuringFactor(parameters)).toBe(Number(p['obscuring_factor_int']));
  });

  it('derives the per-commitment keys the spec prints from the basepoints', () => {
    const keys = build(vectors.cases[0]!).keys;
    expect(toHex(keys.revocationPubkey)).toBe(p['local_revocation_pubkey']);
    expect(toHex(keys.broadcasterHtlcPubkey)).toBe(p['local_htlcpubkey']);
    expect(toHex(keys.countersignatoryHtlcPubkey)).toBe(p['remote_htlcpubkey']);
    expect(toHex(keys.broadcasterDelayedPubkey)).toBe(p['local_delayedpubkey']);
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
    const output = buildHtlcTxs(built).find((info) => info.outputIndex === h.output_index);
    if (output === undefined) throw new Error(`output ${h.output_index} is not an HTLC`);
    const htlc = built.htlcs[output.htlcIndex]!;
    expect(c.pending_htlc_ids[output.htlcIndex]).toBe(h.htlc_id);
    expect(htlc.offered).toBe(h.type === 'htlc-timeout');

    const unsigned = output.tx;
    const spent = { scriptCode: output.witnessScript, valueSat: htlc.amountMsat / 1000n };
    const localSig = signSegwitV0Input(unsigned, 0, spent, localHtlcPrivkey);
    expect(toHex(localSig)).toBe(`${h.local_htlc_signature}01`);
    const remoteSig = witnessSig(h.remote_htlc_signature);
    expect(verifySegwitV0Input(unsigned, 0, spent, remoteSig, built.keys.countersignatoryHtlcPubkey)).toBe(
      true,
    );

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
