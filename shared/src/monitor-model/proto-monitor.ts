/**
 * The monitor's state in its message forms: the `ChannelMonitor` snapshot and the
 * `ChannelMonitorInit` it is created from (vigil.monitor.v1.ChannelMonitor, ChannelMonitorInit).
 *
 * Both carry the channel's identity (ids, parameters, secrets, scripts) under the same field names
 * in the model and on the wire, checked by one function. The snapshot adds what has no direct wire
 * form: the shachain travels as `ShachainStore.toBytes()`, and the preimage map as the preimages
 * alone, sorted by payment hash, so that equal monitors encode to equal bytes.
 */
import { create } from '@bufbuild/protobuf';
import * as pb from '@vigil/proto';
import { toHex } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { sha256 } from '../bitcoin/hash.js';
import type { ChannelParameters } from '../ln/channel-parameters.js';
import { ShachainStore } from '../ln/shachain.js';
import type { ChannelMonitor, HolderChannelSecrets } from './channel-monitor.js';
import type { ChannelMonitorInit } from './create-monitor.js';
import { channelParametersField, secretsField, type WithOptional } from './proto-channel.js';
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
  MAX_HTLCS,
  optionalField,
  PUBKEY_BYTES,
  requiredField,
  scriptField,
  uintField,
} from './proto-fields.js';

/** Latest update ids are numbers in the model, so at most 2^53-1. */
const MAX_UPDATE_ID = Number.MAX_SAFE_INTEGER;
/** A monitor keeps two holder and at most two counterparty commitments, so this many HTLCs' preimages. */
const MAX_PREIMAGES = 4 * MAX_HTLCS;

/** The identity fields of a monitor or its init, in either form. */
interface IdentityInput {
  readonly channelId: Uint8Array;
  readonly counterpartyNodeId: Uint8Array;
  readonly parameters?:
    WithOptional<ChannelParameters, 'fundingOutpoint' | 'holderPubkeys' | 'counterpartyPubkeys'> | undefined;
  readonly secrets?: HolderChannelSecrets | undefined;
  readonly destinationScript: Uint8Array;
  readonly shutdownScript?: Uint8Array | undefined;
}

function identityFields(x: IdentityInput, path: string) {
  return {
    channelId: bytesField(x.channelId, HASH_BYTES, `${path}.channelId`),
    counterpartyNodeId: bytesField(x.counterpartyNodeId, PUBKEY_BYTES, `${path}.counterpartyNodeId`),
    parameters: requiredField(x.parameters, `${path}.parameters`, channelParametersField),
    secrets: requiredField(x.secrets, `${path}.secrets`, secretsField),
    destinationScript: scriptField(x.destinationScript, `${path}.destinationScript`),
    shutdownScript: optionalField(x.shutdownScript, `${path}.shutdownScript`, scriptField),
  };
}

/** The update id and flags of a snapshot, in either form (the id is a bigint on the wire). */
function stateFields(
  x: Pick<ChannelMonitor, 'forceClosed' | 'holderCommitmentSigned' | 'fundingSpendSeen'> & {
    readonly latestUpdateId: number | bigint;
  },
  path: string,
) {
  return {
    latestUpdateId: uintField(x.latestUpdateId, MAX_UPDATE_ID, `${path}.latestUpdateId`),
    forceClosed: boolField(x.forceClosed, `${path}.forceClosed`),
    holderCommitmentSigned: boolField(x.holderCommitmentSigned, `${path}.holderCommitmentSigned`),
    fundingSpendSeen: boolField(x.fundingSpendSeen, `${path}.fundingSpendSeen`),
  };
}

/** The unrevoked counterparty commitments: one, or two while a revocation is pending. */
function unrevokedField<T, U>(list: readonly T[], path: string, convert: (item: T, path: string) => U): U[] {
  const converted = listField(list, path, convert, 2);
  if (converted.length === 0) throw new ValidationError(path, 'expected 1 or 2 commitments, got 0');
  return converted;
}

/** The preimages sorted by payment hash; each must be keyed by its own hash (the map's invariant). */
function preimagesToProto(preimages: ReadonlyMap<string, Uint8Array>, path: string): Uint8Array[] {
  const byHash = listField(
    [...preimages],
    path,
    ([hash, preimage], at) => {
      const checked = bytesField(preimage, HASH_BYTES, at);
      // The key is not printed: a wrong one might be anything, even the preimage itself.
      if (toHex(sha256(checked)) !== hash) throw new ValidationError(at, 'is not keyed by its payment hash');
      return [hash, checked] as const;
    },
    MAX_PREIMAGES,
  );
  // Keys are lowercase hex of equal length, so string order is byte order.
  return byHash.sort(([a], [b]) => (a < b ? -1 : 1)).map(([, preimage]) => preimage);
}

function preimagesFromProto(preimages: readonly Uint8Array[], path: string): Map<string, Uint8Array> {
  const byHash = listField(
    preimages,
    path,
    (preimage, at) => {
      const checked = bytesField(preimage, HASH_BYTES, at);
      return [toHex(sha256(checked)), checked] as const;
    },
    MAX_PREIMAGES,
  );
  byHash.forEach(([hash], i) => {
    if (i > 0 && hash <= byHash[i - 1]![0]) {
      throw new ValidationError(`${path}[${i}]`, 'expected preimages in increasing payment hash order');
    }
  });
  return new Map(byHash);
}

function channelTypeToProto(channelType: ChannelMonitor['channelType'], path: string): pb.ChannelType {
  if (channelType !== 'static_remotekey') {
    throw new ValidationError(path, `unsupported channel type ${JSON.stringify(channelType)}`);
  }
  return pb.ChannelType.STATIC_REMOTEKEY;
}

function channelTypeFromProto(channelType: pb.ChannelType, path: string): ChannelMonitor['channelType'] {
  if (channelType !== pb.ChannelType.STATIC_REMOTEKEY) {
    throw new ValidationError(path, `unsupported channel type ${channelType}`);
  }
  return 'static_remotekey';
}

function shachainToBytes(store: ShachainStore, path: string): Uint8Array {
  if (!(store instanceof ShachainStore)) throw new ValidationError(path, 'expected a ShachainStore');
  return store.toBytes();
}

export function channelMonitorToProto(monitor: ChannelMonitor, path: string): pb.ChannelMonitor {
  const state = stateFields(monitor, path);
  return create(pb.ChannelMonitorSchema, {
    ...identityFields(monitor, path),
    channelType: channelTypeToProto(monitor.channelType, `${path}.channelType`),
    currentHolderCommitment: requiredField(
      monitor.currentHolderCommitment,
      `${path}.currentHolderCommitment`,
      holderCommitmentToProto,
    ),
    previousHolderCommitment: optionalField(
      monitor.previousHolderCommitment,
      `${path}.previousHolderCommitment`,
      holderCommitmentToProto,
    ),
    unrevokedCounterpartyCommitments: unrevokedField(
      monitor.unrevokedCounterpartyCommitments,
      `${path}.unrevokedCounterpartyCommitments`,
      counterpartyCommitmentToProto,
    ),
    counterpartySecrets: shachainToBytes(monitor.counterpartySecrets, `${path}.counterpartySecrets`),
    paymentPreimages: preimagesToProto(monitor.paymentPreimages, `${path}.paymentPreimages`),
    ...state,
    latestUpdateId: BigInt(state.latestUpdateId),
  });
}

export function channelMonitorFromProto(message: pb.ChannelMonitor, path: string): ChannelMonitor {
  return {
    ...identityFields(message, path),
    channelType: channelTypeFromProto(message.channelType, `${path}.channelType`),
    currentHolderCommitment: requiredField(
      message.currentHolderCommitment,
      `${path}.currentHolderCommitment`,
      holderCommitmentField,
    ),
    previousHolderCommitment: optionalField(
      message.previousHolderCommitment,
      `${path}.previousHolderCommitment`,
      holderCommitmentField,
    ),
    unrevokedCounterpartyCommitments: unrevokedField(
      message.unrevokedCounterpartyCommitments,
      `${path}.unrevokedCounterpartyCommitments`,
      counterpartyCommitmentField,
    ),
    counterpartySecrets: ShachainStore.fromBytes(message.counterpartySecrets, `${path}.counterpartySecrets`),
    paymentPreimages: preimagesFromProto(message.paymentPreimages, `${path}.paymentPreimages`),
    ...stateFields(message, path),
  };
}

export function initToProto(init: ChannelMonitorInit, path: string): pb.ChannelMonitorInit {
  return create(pb.ChannelMonitorInitSchema, {
    ...identityFields(init, path),
    initialHolderCommitment: requiredField(
      init.initialHolderCommitment,
      `${path}.initialHolderCommitment`,
      holderCommitmentToProto,
    ),
    initialCounterpartyCommitment: requiredField(
      init.initialCounterpartyCommitment,
      `${path}.initialCounterpartyCommitment`,
      counterpartyCommitmentToProto,
    ),
  });
}

export function initFromProto(message: pb.ChannelMonitorInit, path: string): ChannelMonitorInit {
  const { shutdownScript, ...identity } = identityFields(message, path);
  return {
    ...identity,
    // The init's shutdown script is an optional property, not a property holding undefined.
    ...(shutdownScript === undefined ? {} : { shutdownScript }),
    initialHolderCommitment: requiredField(
      message.initialHolderCommitment,
      `${path}.initialHolderCommitment`,
      holderCommitmentField,
    ),
    initialCounterpartyCommitment: requiredField(
      message.initialCounterpartyCommitment,
      `${path}.initialCounterpartyCommitment`,
      counterpartyCommitmentField,
    ),
  };
}
