/**
 * `ChannelMonitorUpdate` in its message form (vigil.monitor.v1.ChannelMonitorUpdate): one oneof
 * case per step kind, named like the kind, so an error path reads the same in both forms
 * (`update.steps[1].latestHolderCommitment.counterpartySignature`).
 */
import { create } from '@bufbuild/protobuf';
import * as pb from '@vigil/proto';
import { ValidationError } from '../errors.js';
import type { ChannelMonitorUpdate, ChannelMonitorUpdateStep } from './monitor-update.js';
import {
  counterpartyCommitmentField,
  counterpartyCommitmentToProto,
  holderCommitmentField,
  holderCommitmentToProto,
} from './proto-commitment.js';
import {
  boolField,
  bytesField,
  HASH_BYTES,
  listField,
  missingCase,
  scriptField,
  U48_MAX,
  uintField,
} from './proto-fields.js';

const STEP_KINDS = [
  'latestHolderCommitment',
  'latestCounterpartyCommitment',
  'paymentPreimage',
  'commitmentSecret',
  'channelForceClosed',
  'shutdownScript',
] as const satisfies readonly ChannelMonitorUpdateStep['kind'][];

/** Update ids are numbers in the model, so at most 2^53-1. */
const MAX_UPDATE_ID = Number.MAX_SAFE_INTEGER;

/** A revocation secret's fields in either form: the index is a bigint on the wire. */
function secretFields(s: { index: number | bigint; secret: Uint8Array }, path: string) {
  return {
    index: uintField(s.index, U48_MAX, `${path}.index`),
    secret: bytesField(s.secret, HASH_BYTES, `${path}.secret`),
  };
}

function stepCaseToProto(step: ChannelMonitorUpdateStep, path: string): pb.ChannelMonitorUpdateStep['step'] {
  const at = `${path}.${step.kind}`;
  switch (step.kind) {
    case 'latestHolderCommitment':
      return { case: step.kind, value: holderCommitmentToProto(step.commitment, at) };
    case 'latestCounterpartyCommitment':
      return { case: step.kind, value: counterpartyCommitmentToProto(step.commitment, at) };
    case 'paymentPreimage':
      return { case: step.kind, value: bytesField(step.preimage, HASH_BYTES, at) };
    case 'commitmentSecret': {
      const fields = secretFields(step, at);
      const value = create(pb.CommitmentSecretSchema, { ...fields, index: BigInt(fields.index) });
      return { case: step.kind, value };
    }
    case 'channelForceClosed': {
      const shouldBroadcast = boolField(step.shouldBroadcast, `${at}.shouldBroadcast`);
      return { case: step.kind, value: create(pb.ChannelForceClosedSchema, { shouldBroadcast }) };
    }
    case 'shutdownScript':
      return { case: step.kind, value: scriptField(step.script, at) };
    default:
      throw new ValidationError(
        `${path}.kind`,
        `unknown step kind ${JSON.stringify((step as { kind: unknown }).kind)}`,
      );
  }
}

function stepFromProto(message: pb.ChannelMonitorUpdateStep, path: string): ChannelMonitorUpdateStep {
  const { step } = message;
  const at = `${path}.${step.case}`;
  switch (step.case) {
    case 'latestHolderCommitment':
      return { kind: step.case, commitment: holderCommitmentField(step.value, at) };
    case 'latestCounterpartyCommitment':
      return { kind: step.case, commitment: counterpartyCommitmentField(step.value, at) };
    case 'paymentPreimage':
      return { kind: step.case, preimage: bytesField(step.value, HASH_BYTES, at) };
    case 'commitmentSecret':
      return { kind: step.case, ...secretFields(step.value, at) };
    case 'channelForceClosed':
      return {
        kind: step.case,
        shouldBroadcast: boolField(step.value.shouldBroadcast, `${at}.shouldBroadcast`),
      };
    case 'shutdownScript':
      return { kind: step.case, script: scriptField(step.value, at) };
    case undefined:
      throw missingCase(path, STEP_KINDS);
  }
}

export function updateToProto(update: ChannelMonitorUpdate, path: string): pb.ChannelMonitorUpdate {
  return create(pb.ChannelMonitorUpdateSchema, {
    channelId: bytesField(update.channelId, HASH_BYTES, `${path}.channelId`),
    updateId: BigInt(uintField(update.updateId, MAX_UPDATE_ID, `${path}.updateId`)),
    steps: listField(update.steps, `${path}.steps`, (step, at) =>
      create(pb.ChannelMonitorUpdateStepSchema, { step: stepCaseToProto(step, at) }),
    ),
  });
}

export function updateFromProto(message: pb.ChannelMonitorUpdate, path: string): ChannelMonitorUpdate {
  return {
    channelId: bytesField(message.channelId, HASH_BYTES, `${path}.channelId`),
    updateId: uintField(message.updateId, MAX_UPDATE_ID, `${path}.updateId`),
    steps: listField(message.steps, `${path}.steps`, stepFromProto),
  };
}
