/**
 * `MonitorEvent` in its message form (vigil.monitor.v1.MonitorEvent): the channel id once, then
 * one oneof case per event kind, named like the kind.
 */
import { create } from '@bufbuild/protobuf';
import * as pb from '@vigil/proto';
import { ValidationError } from '../errors.js';
import type { OutPoint } from '../bitcoin/tx.js';
import type { MonitorEvent, SpendableOutput } from './monitor-event.js';
import { outPointField, txOutFromProto, txOutToProto } from './proto-chain.js';
import {
  bytesField,
  HASH_BYTES,
  listField,
  missingCase,
  optionalField,
  requiredField,
  stringField,
  u64Field,
} from './proto-fields.js';

const EVENT_KINDS = [
  'htlcResolved',
  'holderForceClosedWithInfo',
  'commitmentTxConfirmed',
  'spendableOutputs',
  'claimConfirmed',
] as const satisfies readonly MonitorEvent['kind'][];

type EventOf<K extends MonitorEvent['kind']> = Extract<MonitorEvent, { kind: K }>;

/** `htlcResolved`'s fields; the model and the message share them. */
function htlcResolvedFields(
  e: Pick<EventOf<'htlcResolved'>, 'htlcId' | 'paymentHash' | 'valueSat'> & {
    readonly preimage?: Uint8Array | undefined;
  },
  path: string,
) {
  return {
    htlcId: u64Field(e.htlcId, `${path}.htlcId`),
    paymentHash: bytesField(e.paymentHash, HASH_BYTES, `${path}.paymentHash`),
    preimage: optionalField(e.preimage, `${path}.preimage`, (p, at) => bytesField(p, HASH_BYTES, at)),
    valueSat: u64Field(e.valueSat, `${path}.valueSat`),
  };
}

/** `holderForceClosedWithInfo`'s fields; the outpoint is a required sub-message on the wire. */
function forceClosedFields(e: { fundingOutpoint?: OutPoint | undefined; reason: string }, path: string) {
  return {
    fundingOutpoint: requiredField(e.fundingOutpoint, `${path}.fundingOutpoint`, outPointField),
    reason: stringField(e.reason, `${path}.reason`),
  };
}

/** The txid of `commitmentTxConfirmed` and `claimConfirmed`. */
function txidFields(e: { txid: Uint8Array }, path: string) {
  return { txid: bytesField(e.txid, HASH_BYTES, `${path}.txid`) };
}

function spendableOutputToProto(output: SpendableOutput, path: string): pb.SpendableOutput {
  return create(pb.SpendableOutputSchema, {
    outpoint: requiredField(output.outpoint, `${path}.outpoint`, outPointField),
    output: txOutToProto(output, `${path}.output`),
  });
}

function spendableOutputFromProto(message: pb.SpendableOutput, path: string): SpendableOutput {
  return {
    outpoint: requiredField(message.outpoint, `${path}.outpoint`, outPointField),
    ...requiredField(message.output, `${path}.output`, txOutFromProto),
  };
}

function eventCaseToProto(event: MonitorEvent, path: string): pb.MonitorEvent['event'] {
  const at = `${path}.${event.kind}`;
  switch (event.kind) {
    case 'htlcResolved':
      return { case: event.kind, value: create(pb.HtlcResolvedSchema, htlcResolvedFields(event, at)) };
    case 'holderForceClosedWithInfo':
      return {
        case: event.kind,
        value: create(pb.HolderForceClosedWithInfoSchema, forceClosedFields(event, at)),
      };
    case 'commitmentTxConfirmed':
      return { case: event.kind, value: create(pb.CommitmentTxConfirmedSchema, txidFields(event, at)) };
    case 'spendableOutputs': {
      const outputs = listField(event.outputs, `${at}.outputs`, spendableOutputToProto);
      return { case: event.kind, value: create(pb.SpendableOutputsSchema, { outputs }) };
    }
    case 'claimConfirmed':
      return { case: event.kind, value: create(pb.ClaimConfirmedSchema, txidFields(event, at)) };
    default:
      throw new ValidationError(
        `${path}.kind`,
        `unknown event kind ${JSON.stringify((event as { kind: unknown }).kind)}`,
      );
  }
}

export function eventToProto(event: MonitorEvent, path: string): pb.MonitorEvent {
  return create(pb.MonitorEventSchema, {
    channelId: bytesField(event.channelId, HASH_BYTES, `${path}.channelId`),
    event: eventCaseToProto(event, path),
  });
}

export function eventFromProto(message: pb.MonitorEvent, path: string): MonitorEvent {
  const channelId = bytesField(message.channelId, HASH_BYTES, `${path}.channelId`);
  const { event } = message;
  const at = `${path}.${event.case}`;
  switch (event.case) {
    case 'htlcResolved':
      return { kind: event.case, channelId, ...htlcResolvedFields(event.value, at) };
    case 'holderForceClosedWithInfo':
      return { kind: event.case, channelId, ...forceClosedFields(event.value, at) };
    case 'commitmentTxConfirmed':
      return { kind: event.case, channelId, ...txidFields(event.value, at) };
    case 'spendableOutputs':
      return {
        kind: event.case,
        channelId,
        outputs: listField(event.value.outputs, `${at}.outputs`, spendableOutputFromProto),
      };
    case 'claimConfirmed':
      return { kind: event.case, channelId, ...txidFields(event.value, at) };
    case undefined:
      throw missingCase(path, EVENT_KINDS);
  }
}
