/**
 * vigil-regtest against real Lightning transactions built by Vigil (ln/channel-parameters.ts,
 * funding.ts, htlc-tx.ts) with the BOLT 3 Appendix C keys, on a funding output created on the
 * node's own chain:
 * - the signed commitment is accepted, and the same transaction with one signature byte flipped
 *   is rejected by the independent script check (`mandatory-script-verify-flag-failed`);
 * - the HTLC-timeout transaction is `non-final` before its cltv_expiry and accepted at it;
 * - the delayed to_local output honours its CSV delay (BIP 68 and OP_CHECKSEQUENCEVERIFY).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/bitcoin/hash.js';
import { signSegwitV0Input } from '../../src/bitcoin/sign.js';
import { pubkeyFromPrivkey } from '../../src/bitcoin/secp256k1.js';
import { txid, withInputWitness, type Transaction } from '../../src/bitcoin/tx.js';
import { fromHex } from '../../src/bytes.js';
import {
  buildHtlcTxs,
  buildSideCommitment,
  type ChannelParameters,
  type SideCommitment,
} from '../../src/ln/channel-parameters.js';
import { fundingOutput, fundingSpendWitness } from '../../src/ln/funding.js';
import { htlcTxWitness } from '../../src/ln/htlc-tx.js';
import { fundingScript } from '../../src/ln/scripts.js';
import { loadVectors } from '../vectors.js';
import {
  fundConfirmed,
  height,
  mine,
  startTestNode,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import type { RpcClient } from '@vigil/test/support/regtest/rpc-client';
import { signSpend, testKey, txHex, txidHex } from '@vigil/test/support/regtest/test-wallet';

interface CommitmentVectors {
  params: Record<string, string | number> & { internal_from_html_comment: Record<string, string> };
}

const params = loadVectors<CommitmentVectors>('bolt03-commitment-static-remotekey.json').params;
const internal = params.internal_from_html_comment;
const key = (name: string) => fromHex(String(params[name]), name);
const localFundingPrivkey = key('local_funding_privkey');
const remoteFundingPrivkey = key('remote_funding_privkey');
const localFundingPubkey = key('local_funding_pubkey');
const remoteFundingPubkey = key('remote_funding_pubkey');
/** The HTLC keys of this per-commitment point (BOLT 3 Appendix C). */
const localHtlcPrivkey = key('local_privkey');
const remoteHtlcPrivkey = fromHex(internal['remote_privkey']!);
const localDelayedPrivkey = fromHex(internal['local_delayed_privkey']!);
const unusedBasepoint = pubkeyFromPrivkey(new Uint8Array(32).fill(0x55));
const FUNDING_SAT = 10_000_000n;
const TO_SELF_DELAY = Number(params['local_delay']);

const funder = testKey('lightning funder');
const sweep = testKey('lightning sweep');

let node: TestNode;
let rpc: RpcClient;

beforeAll(async () => {
  node = await startTestNode();
  rpc = node.rpc;
});

afterAll(() => node.regtest.stop());

function channelParameters(fundingTx: Transaction): ChannelParameters {
  return {
    fundingOutpoint: { txid: txid(fundingTx), vout: 0 },
    fundingValueSat: FUNDING_SAT,
    holderIsFunder: true,
    holderPubkeys: {
      fundingPubkey: localFundingPubkey,
      revocationBasepoint: unusedBasepoint,
      paymentBasepoint: key('local_payment_basepoint'),
      delayedPaymentBasepoint: fromHex(internal['local_delayed_payment_basepoint']!),
      htlcBasepoint: key('local_htlc_basepoint'),
    },
    counterpartyPubkeys: {
      fundingPubkey: remoteFundingPubkey,
      revocationBasepoint: fromHex(internal['remote_revocation_basepoint']!),
      paymentBasepoint: key('remote_payment_basepoint'),
      delayedPaymentBasepoint: unusedBasepoint,
      htlcBasepoint: key('remote_htlc_basepoint'),
    },
    holderSelectedContestDelay: 6,
    counterpartySelectedContestDelay: TO_SELF_DELAY,
    holderDustLimitSat: 546n,
    counterpartyDustLimitSat: 354n,
  };
}

/** The commitment signed by both funding keys, as either side would broadcast it. */
function signCommitment(commitment: SideCommitment): Transaction {
  const spent = { scriptCode: fundingScript(localFundingPubkey, remoteFundingPubkey), valueSat: FUNDING_SAT };
  const witness = fundingSpendWitness(
    {
      pubkey: localFundingPubkey,
      signature: signSegwitV0Input(commitment.tx, 0, spent, localFundingPrivkey),
    },
    {
      pubkey: remoteFundingPubkey,
      signature: signSegwitV0Input(commitment.tx, 0, spent, remoteFundingPrivkey),
    },
  );
  return withInputWitness(commitment.tx, 0, witness);
}

async function verdict(tx: Transaction): Promise<true | string> {
  const [result] = await rpc.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [
    txHex(tx),
  ]);
  return result!.allowed ? true : result!['reject-reason']!;
}

describe('a Vigil-built channel on the regtest chain', () => {
  let commitment: SideCommitment;
  let signedCommitment: Transaction;
  let cltvExpiry = 0;

  beforeAll(async () => {
    const coin = await fundConfirmed(rpc, funder, FUNDING_SAT + 5_000n);
    const fundingTx = signSpend(
      [coin],
      [fundingOutput(localFundingPubkey, remoteFundingPubkey, FUNDING_SAT)],
    );
    await rpc.call('sendrawtransaction', txHex(fundingTx));
    await mine(rpc, 1);
    cltvExpiry = (await height(rpc)) + 4;
    commitment = buildSideCommitment(channelParameters(fundingTx), 'holder', {
      commitmentNumber: 42,
      perCommitmentPoint: fromHex(internal['local_per_commitment_point']!),
      feeratePerKw: 5000,
      toBroadcasterMsat: 6_000_000_000n,
      toCountersignatoryMsat: 3_000_000_000n,
      htlcs: [
        {
          offered: true,
          amountMsat: 1_000_000_000n,
          paymentHash: sha256(new Uint8Array(32).fill(9)),
          cltvExpiry,
        },
      ],
    });
    signedCommitment = signCommitment(commitment);
  });

  it('rejects the commitment with one signature byte flipped (mandatory-script-verify-flag-failed)', async () => {
    const witness = signedCommitment.inputs[0]!.witness;
    const corrupted = Uint8Array.from(witness[1]!);
    // Byte 10 lies inside r: the DER stays well formed, the signature no longer verifies.
    corrupted[10] = corrupted[10]! ^ 0x01;
    const flipped = withInputWitness(signedCommitment, 0, [witness[0]!, corrupted, witness[2]!, witness[3]!]);
    const reason =
      'mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)';
    expect(await verdict(flipped)).toBe(reason);
    const error = await rpc.callError('sendrawtransaction', txHex(flipped));
    expect([error.code, error.message]).toEqual([-26, reason]);
  });

  it('accepts the signed commitment spending the funding output, and mines it', async () => {
    expect(await rpc.call('sendrawtransaction', txHex(signedCommitment))).toBe(txidHex(signedCommitment));
    await mine(rpc, 1);
    expect(await rpc.call('getrawtransaction', txidHex(signedCommitment), true)).toMatchObject({
      confirmations: 1,
    });
  });

  it('rejects the HTLC-timeout transaction as non-final before cltv_expiry and accepts it at cltv_expiry', async () => {
    const [info] = buildHtlcTxs(commitment);
    const htlc = commitment.htlcs[info!.htlcIndex]!;
    const spent = { scriptCode: info!.witnessScript, valueSat: htlc.amountMsat / 1000n };
    const witness = htlcTxWitness(
      signSegwitV0Input(info!.tx, 0, spent, remoteHtlcPrivkey),
      signSegwitV0Input(info!.tx, 0, spent, localHtlcPrivkey),
      undefined,
      info!.witnessScript,
    );
    const timeout = withInputWitness(info!.tx, 0, witness);
    expect(timeout.locktime).toBe(cltvExpiry);
    await mine(rpc, cltvExpiry - 1 - (await height(rpc)));
    expect(await height(rpc)).toBe(cltvExpiry - 1);
    expect(await verdict(timeout)).toBe('non-final');
    const error = await rpc.callError('sendrawtransaction', txHex(timeout));
    expect([error.code, error.message]).toEqual([-26, 'non-final']);
    await mine(rpc, 1);
    expect(await rpc.call('sendrawtransaction', txHex(timeout))).toBe(txidHex(timeout));
    await mine(rpc, 1);
  });

  it('lets the to_local output be swept only after to_self_delay blocks (BIP 68 + CSV)', async () => {
    const vout = commitment.outputs.findIndex((o) => o.kind === 'to_local');
    const toLocal = commitment.outputs[vout]!;
    if (toLocal.kind !== 'to_local') throw new Error('no to_local output');
    const valueSat = commitment.tx.outputs[vout]!.valueSat;
    const sweepWith = (sequence: number): Transaction => {
      const unsigned: Transaction = {
        version: 2,
        inputs: [
          {
            prevout: { txid: txid(signedCommitment), vout },
            scriptSig: new Uint8Array(0),
            sequence,
            witness: [],
          },
        ],
        outputs: [{ valueSat: valueSat - 2000n, scriptPubKey: sweep.script }],
        locktime: 0,
      };
      const signature = signSegwitV0Input(
        unsigned,
        0,
        { scriptCode: toLocal.witnessScript, valueSat },
        localDelayedPrivkey,
      );
      return withInputWitness(unsigned, 0, [signature, new Uint8Array(0), toLocal.witnessScript]);
    };
    const confirmedAt = (
      await rpc.call<{ height: number }>(
        'getblockheader',
        (await rpc.call<{ blockhash: string }>('getrawtransaction', txidHex(signedCommitment), true))
          .blockhash,
      )
    ).height;
    // The next block is at depth to_self_delay - 1: one short.
    await mine(rpc, confirmedAt + TO_SELF_DELAY - 2 - (await height(rpc)));
    expect(await verdict(sweepWith(TO_SELF_DELAY))).toBe('non-BIP68-final');
    // A shorter sequence passes BIP 68 but not the script's OP_CHECKSEQUENCEVERIFY.
    expect(await verdict(sweepWith(TO_SELF_DELAY - 1))).toBe(
      'mandatory-script-verify-flag-failed (Locktime requirement not satisfied)',
    );
    await mine(rpc, 1);
    expect(await rpc.call('sendrawtransaction', txHex(sweepWith(TO_SELF_DELAY)))).toBe(
      txidHex(sweepWith(TO_SELF_DELAY)),
    );
  });
});
