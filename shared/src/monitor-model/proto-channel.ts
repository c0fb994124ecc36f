/**
 * A channel's static parameters and the holder's secrets in the monitor model's messages
 * (vigil.monitor.v1.ChannelParameters, ChannelPublicKeys, HolderChannelSecrets). The model and the
 * messages use the same field names, so one check per message serves both directions.
 */
import { U16_MAX } from '../bytes.js';
import type { ChannelParameters, ChannelPublicKeys } from '../ln/channel-parameters.js';
import type { HolderChannelSecrets } from './channel-monitor.js';
import { outPointField } from './proto-chain.js';
import {
  boolField,
  bytesField,
  HASH_BYTES,
  PUBKEY_BYTES,
  requiredField,
  u64Field,
  uintField,
} from './proto-fields.js';

const PUBKEY_NAMES = [
  'fundingPubkey',
  'revocationBasepoint',
  'paymentBasepoint',
  'delayedPaymentBasepoint',
  'htlcBasepoint',
] as const satisfies readonly (keyof ChannelPublicKeys)[];

const SECRET_NAMES = [
  'fundingKey',
  'revocationBasepointSecret',
  'paymentBasepointSecret',
  'delayedPaymentBasepointSecret',
  'htlcBasepointSecret',
  'commitmentSeed',
] as const satisfies readonly (keyof HolderChannelSecrets)[];

/** Checks and copies the `names` fields of `source`, each exactly `length` bytes. */
function fixedBytesFields<K extends string>(
  source: Readonly<Record<K, Uint8Array>>,
  names: readonly K[],
  length: number,
  path: string,
): Record<K, Uint8Array> {
  const out = {} as Record<K, Uint8Array>;
  for (const name of names) out[name] = bytesField(source[name], length, `${path}.${name}`);
  return out;
}

/** One side's basepoints, each 33 bytes (whether they are points is createChannelMonitor's check). */
export function publicKeysField(keys: ChannelPublicKeys, path: string): ChannelPublicKeys {
  return fixedBytesFields(keys, PUBKEY_NAMES, PUBKEY_BYTES, path);
}

/** The holder's secrets, each 32 bytes. Errors name the field, never a byte of it. */
export function secretsField(secrets: HolderChannelSecrets, path: string): HolderChannelSecrets {
  return fixedBytesFields(secrets, SECRET_NAMES, HASH_BYTES, path);
}

/** `T` with the `K` fields optional, as proto3 message fields are; a present-check makes them required. */
export type WithOptional<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]?: T[P] | undefined };

/** Channel parameters in either representation, checked and copied into the model's. */
export function channelParametersField(
  p: WithOptional<ChannelParameters, 'fundingOutpoint' | 'holderPubkeys' | 'counterpartyPubkeys'>,
  path: string,
): ChannelParameters {
  return {
    fundingOutpoint: requiredField(p.fundingOutpoint, `${path}.fundingOutpoint`, outPointField),
    fundingValueSat: u64Field(p.fundingValueSat, `${path}.fundingValueSat`),
    holderIsFunder: boolField(p.holderIsFunder, `${path}.holderIsFunder`),
    holderPubkeys: requiredField(p.holderPubkeys, `${path}.holderPubkeys`, publicKeysField),
    counterpartyPubkeys: requiredField(p.counterpartyPubkeys, `${path}.counterpartyPubkeys`, publicKeysField),
    holderSelectedContestDelay: uintField(
      p.holderSelectedContestDelay,
      U16_MAX,
      `${path}.holderSelectedContestDelay`,
    ),
    counterpartySelectedContestDelay: uintField(
      p.counterpartySelectedContestDelay,
      U16_MAX,
      `${path}.counterpartySelectedContestDelay`,
    ),
    holderDustLimitSat: u64Field(p.holderDustLimitSat, `${path}.holderDustLimitSat`),
    counterpartyDustLimitSat: u64Field(p.counterpartyDustLimitSat, `${path}.counterpartyDustLimitSat`),
  };
}
