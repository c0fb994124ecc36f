/**
 * Creating a `ChannelMonitor` when the funding transaction is signed (BOLT 2 `funding_signed`):
 * both initial commitments (number 0) are checked exactly as later updates are, and the holder's
 * secrets must match the basepoints the counterparty knows, so a monitor never holds keys that
 * cannot spend what it watches.
 */
import { equalBytes, expectLength } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { pubkeyFromPrivkey, validatePubkey } from '../bitcoin/secp256k1.js';
import { type ChannelParameters, validateChannelParameters } from '../ln/channel-parameters.js';
import { ShachainStore } from '../ln/shachain.js';
import type {
  ChannelMonitor,
  CounterpartyCommitment,
  HolderChannelSecrets,
  HolderCommitment,
} from './channel-monitor.js';
import { checkCounterpartyCommitment, checkHolderCommitment } from './commitment-checks.js';
import { checkScript } from './script-checks.js';

export interface ChannelMonitorInit {
  readonly channelId: Uint8Array;
  readonly counterpartyNodeId: Uint8Array;
  readonly parameters: ChannelParameters;
  readonly secrets: HolderChannelSecrets;
  readonly destinationScript: Uint8Array;
  readonly shutdownScript?: Uint8Array;
  readonly initialHolderCommitment: HolderCommitment;
  readonly initialCounterpartyCommitment: CounterpartyCommitment;
}

export interface CreatedMonitor {
  readonly monitor: ChannelMonitor;
  /** The initial counterparty commitment, to store as its first per-commitment record. */
  readonly counterpartyCommitments: readonly CounterpartyCommitment[];
}

const SECRET_MATCHES = [
  ['fundingKey', 'fundingPubkey'],
  ['revocationBasepointSecret', 'revocationBasepoint'],
  ['paymentBasepointSecret', 'paymentBasepoint'],
  ['delayedPaymentBasepointSecret', 'delayedPaymentBasepoint'],
  ['htlcBasepointSecret', 'htlcBasepoint'],
] as const;

/** Throws unless every holder secret is the private key of the matching holder basepoint. */
export function checkSecretsMatchBasepoints(
  secrets: HolderChannelSecrets,
  params: ChannelParameters,
  field: string,
): void {
  for (const [secret, pubkey] of SECRET_MATCHES) {
    const derived = pubkeyFromPrivkey(secrets[secret], `${field}.secrets.${secret}`);
    if (!equalBytes(derived, params.holderPubkeys[pubkey])) {
      throw new ValidationError(
        `${field}.secrets.${secret}`,
        `is not the private key of holderPubkeys.${pubkey}`,
      );
    }
  }
  expectLength(secrets.commitmentSeed, 32, `${field}.secrets.commitmentSeed`);
}

function expectInitialNumber(commitment: { commitmentNumber: number }, field: string): void {
  if (commitment.commitmentNumber !== 0) {
    throw new ValidationError(
      `${field}.commitmentNumber`,
      `expected 0 for a new channel, got ${commitment.commitmentNumber}`,
    );
  }
}

/** Validates `init` and returns the new monitor (`latestUpdateId` 0). */
export function createChannelMonitor(init: ChannelMonitorInit, field = 'monitor'): CreatedMonitor {
  expectLength(init.channelId, 32, `${field}.channelId`);
  validatePubkey(init.counterpartyNodeId, `${field}.counterpartyNodeId`);
  validateChannelParameters(init.parameters, `${field}.parameters`);
  checkSecretsMatchBasepoints(init.secrets, init.parameters, field);
  checkScript(init.destinationScript, `${field}.destinationScript`);
  if (init.shutdownScript !== undefined) checkScript(init.shutdownScript, `${field}.shutdownScript`);
  expectInitialNumber(init.initialHolderCommitment, `${field}.initialHolderCommitment`);
  expectInitialNumber(init.initialCounterpartyCommitment, `${field}.initialCounterpartyCommitment`);
  checkHolderCommitment(
    init.parameters,
    init.secrets,
    init.initialHolderCommitment,
    `${field}.initialHolderCommitment`,
  );
  checkCounterpartyCommitment(
    init.parameters,
    init.initialCounterpartyCommitment,
    `${field}.initialCounterpartyCommitment`,
  );
  const monitor: ChannelMonitor = {
    channelId: init.channelId,
    counterpartyNodeId: init.counterpartyNodeId,
    channelType: 'static_remotekey',
    parameters: init.parameters,
    secrets: init.secrets,
    destinationScript: init.destinationScript,
    shutdownScript: init.shutdownScript,
    currentHolderCommitment: init.initialHolderCommitment,
    previousHolderCommitment: undefined,
    unrevokedCounterpartyCommitments: [init.initialCounterpartyCommitment],
    counterpartySecrets: ShachainStore.EMPTY,
    paymentPreimages: new Map(),
    latestUpdateId: 0,
    forceClosed: false,
    holderCommitmentSigned: false,
    fundingSpendSeen: false,
  };
  return { monitor, counterpartyCommitments: [init.initialCounterpartyCommitment] };
}
