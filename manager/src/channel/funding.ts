/**
 * The funding output of a channel and the transactions that spend it, BOLT 2 "Definition of
 * `channel_id`" and BOLT 3 "Funding Transaction Output": the caller's wallet builds the funding
 * transaction; the channel only says what it must pay, checks it does, and completes the 2-of-2
 * witness of the commitment or closing transaction that spends it.
 */
import { equalBytes } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { encodeDerWithSighash } from '@vigil/shared/bitcoin/der';
import { SIGHASH_ALL } from '@vigil/shared/bitcoin/sighash';
import { type OutPoint, type Transaction, type TxOut, withInputWitness } from '@vigil/shared/bitcoin/tx';
import type { ChannelParameters } from '@vigil/shared/ln/channel-parameters';
import { fundingSpendWitness } from '@vigil/shared/ln/funding';

/**
 * BOLT 2: `channel_id` is the funding txid (internal byte order, as `funding_created` carries it)
 * with its last two bytes XORed with the big-endian output index.
 */
export function channelIdFromOutpoint(outpoint: OutPoint): Uint8Array {
  if (outpoint.vout > 0xffff) {
    throw new ValidationError(
      'fundingOutpoint.vout',
      `${outpoint.vout} does not fit funding_output_index (u16)`,
    );
  }
  const id = Uint8Array.from(outpoint.txid);
  id[30] = id[30]! ^ (outpoint.vout >> 8);
  id[31] = id[31]! ^ (outpoint.vout & 0xff);
  return id;
}

/** Throws unless output `outputIndex` of `tx` pays exactly `expected` (BOLT 2 `channel_ready` rule). */
export function expectFundingOutput(tx: Transaction, outputIndex: number, expected: TxOut): void {
  const output = tx.outputs[outputIndex];
  if (output === undefined) {
    throw new ValidationError(
      'fundingOutputIndex',
      `the transaction has ${tx.outputs.length} outputs, no ${outputIndex}`,
    );
  }
  if (output.valueSat !== expected.valueSat || !equalBytes(output.scriptPubKey, expected.scriptPubKey)) {
    throw new ValidationError(
      `fundingTx.outputs[${outputIndex}]`,
      `must pay ${expected.valueSat} sat to the channel's 2-of-2 P2WSH funding script`,
    );
  }
}

/** `tx` (spending the funding output as input 0) with both compact signatures in its witness. */
export function withFundingWitness(
  params: ChannelParameters,
  tx: Transaction,
  holderSignature: Uint8Array,
  counterpartySignature: Uint8Array,
): Transaction {
  const witness = fundingSpendWitness(
    {
      pubkey: params.holderPubkeys.fundingPubkey,
      signature: encodeDerWithSighash(holderSignature, SIGHASH_ALL),
    },
    {
      pubkey: params.counterpartyPubkeys.fundingPubkey,
      signature: encodeDerWithSighash(counterpartySignature, SIGHASH_ALL),
    },
  );
  return withInputWitness(tx, 0, witness);
}
