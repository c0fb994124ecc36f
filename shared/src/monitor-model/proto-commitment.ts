/**
 * Commitments in the monitor model's messages (vigil.monitor.v1.HolderCommitment,
 * CounterpartyCommitment, MonitorHtlc). The model and the messages share field names; they differ
 * only in the commitment number, a 48-bit number in the model and a uint64 (bigint) on the wire.
 * So each commitment has one check, used as is to read a message and followed by that one
 * conversion to write one, and both directions accept exactly the same values.
 */
import { create } from '@bufbuild/protobuf';
import * as pb from '@vigil/proto';
import { U32_MAX } from '../bytes.js';
import type { CounterpartyCommitment, HolderCommitment, MonitorHtlc } from './channel-monitor.js';
import {
  boolField,
  bytesField,
  bytesFieldOf,
  HASH_BYTES,
  listField,
  MAX_HTLCS,
  PUBKEY_BYTES,
  SIGNATURE_BYTES,
  U48_MAX,
  u64Field,
  uintField,
} from './proto-fields.js';

/** `T` with its commitment number in either representation. */
type AnyNumber<T> = Omit<T, 'commitmentNumber'> & { readonly commitmentNumber: number | bigint };

export function htlcField(htlc: MonitorHtlc, path: string): MonitorHtlc {
  return {
    htlcId: u64Field(htlc.htlcId, `${path}.htlcId`),
    offered: boolField(htlc.offered, `${path}.offered`),
    amountMsat: u64Field(htlc.amountMsat, `${path}.amountMsat`),
    paymentHash: bytesField(htlc.paymentHash, HASH_BYTES, `${path}.paymentHash`),
    cltvExpiry: uintField(htlc.cltvExpiry, U32_MAX, `${path}.cltvExpiry`),
  };
}

/** Checks and copies a holder commitment given as a model value or a message. */
export function holderCommitmentField(c: AnyNumber<HolderCommitment>, path: string): HolderCommitment {
  return {
    commitmentNumber: uintField(c.commitmentNumber, U48_MAX, `${path}.commitmentNumber`),
    feeratePerKw: uintField(c.feeratePerKw, U32_MAX, `${path}.feeratePerKw`),
    toHolderMsat: u64Field(c.toHolderMsat, `${path}.toHolderMsat`),
    toCounterpartyMsat: u64Field(c.toCounterpartyMsat, `${path}.toCounterpartyMsat`),
    htlcs: listField(c.htlcs, `${path}.htlcs`, htlcField, MAX_HTLCS),
    counterpartySignature: bytesField(
      c.counterpartySignature,
      SIGNATURE_BYTES,
      `${path}.counterpartySignature`,
    ),
    counterpartyHtlcSignatures: listField(
      c.counterpartyHtlcSignatures,
      `${path}.counterpartyHtlcSignatures`,
      bytesFieldOf(SIGNATURE_BYTES),
      MAX_HTLCS,
    ),
  };
}

export function holderCommitmentToProto(c: HolderCommitment, path: string): pb.HolderCommitment {
  const checked = holderCommitmentField(c, path);
  return create(pb.HolderCommitmentSchema, {
    ...checked,
    commitmentNumber: BigInt(checked.commitmentNumber),
    htlcs: [...checked.htlcs],
    counterpartyHtlcSignatures: [...checked.counterpartyHtlcSignatures],
  });
}

/** Checks and copies a counterparty commitment given as a model value or a message. */
export function counterpartyCommitmentField(
  c: AnyNumber<CounterpartyCommitment>,
  path: string,
): CounterpartyCommitment {
  return {
    commitmentNumber: uintField(c.commitmentNumber, U48_MAX, `${path}.commitmentNumber`),
    txid: bytesField(c.txid, HASH_BYTES, `${path}.txid`),
    perCommitmentPoint: bytesField(c.perCommitmentPoint, PUBKEY_BYTES, `${path}.perCommitmentPoint`),
    feeratePerKw: uintField(c.feeratePerKw, U32_MAX, `${path}.feeratePerKw`),
    toCounterpartyMsat: u64Field(c.toCounterpartyMsat, `${path}.toCounterpartyMsat`),
    toHolderMsat: u64Field(c.toHolderMsat, `${path}.toHolderMsat`),
    htlcs: listField(c.htlcs, `${path}.htlcs`, htlcField, MAX_HTLCS),
  };
}

export function counterpartyCommitmentToProto(
  c: CounterpartyCommitment,
  path: string,
): pb.CounterpartyCommitment {
  const checked = counterpartyCommitmentField(c, path);
  return create(pb.CounterpartyCommitmentSchema, {
    ...checked,
    commitmentNumber: BigInt(checked.commitmentNumber),
    htlcs: [...checked.htlcs],
  });
}
