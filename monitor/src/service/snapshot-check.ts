/**
 * Checking a ChannelMonitor snapshot a tenant hands over (`WatchChannel.snapshot`) as thoroughly
 * as `createChannelMonitor` checks an init and `applyUpdate` checks each update, since the
 * monitor will enforce with it: the secrets are the basepoints' keys, both holder commitments
 * carry valid counterparty signatures, the unrevoked counterparty commitments rebuild to their
 * txids, and the revealed secrets revoke exactly the commitments before them. Counterparty records
 * sent along must be real commitments of this channel: an unrevoked one equal to the snapshot's,
 * a revoked one with the per-commitment point its revealed secret gives (else justice against it
 * would fail).
 */
import { equalBytes } from '@vigil/shared/bytes';
import { validatePubkey } from '@vigil/shared/bitcoin/secp256k1';
import { ValidationError } from '@vigil/shared/errors';
import { validateChannelParameters } from '@vigil/shared/ln/channel-parameters';
import { perCommitmentPointFromSecret } from '@vigil/shared/ln/keys';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import {
  checkCounterpartyCommitment,
  checkHolderCommitment,
  secretIndexOfCommitment,
} from '@vigil/shared/monitor-model/commitment-checks';
import { checkSecretsMatchBasepoints } from '@vigil/shared/monitor-model/create-monitor';
import { encodeCounterpartyCommitment } from '@vigil/shared/monitor-model/proto-codec';

/** Throws a ValidationError naming the field (under `path`) that does not check out. */
export function checkSnapshot(m: ChannelMonitor, path: string): void {
  validatePubkey(m.counterpartyNodeId, `${path}.counterpartyNodeId`);
  validateChannelParameters(m.parameters, `${path}.parameters`);
  checkSecretsMatchBasepoints(m.secrets, m.parameters, path);
  checkHolderCommitments(m, path);
  checkUnrevoked(m, path);
}

function checkHolderCommitments(m: ChannelMonitor, path: string): void {
  const current = m.currentHolderCommitment;
  checkHolderCommitment(m.parameters, m.secrets, current, `${path}.currentHolderCommitment`);
  const previous = m.previousHolderCommitment;
  if (previous === undefined) return;
  const field = `${path}.previousHolderCommitment`;
  if (previous.commitmentNumber !== current.commitmentNumber - 1) {
    throw new ValidationError(
      `${field}.commitmentNumber`,
      `expected ${current.commitmentNumber - 1} (one before the current), got ${previous.commitmentNumber}`,
    );
  }
  checkHolderCommitment(m.parameters, m.secrets, previous, field);
}

function checkUnrevoked(m: ChannelMonitor, path: string): void {
  const field = `${path}.unrevokedCounterpartyCommitments`;
  const oldest = m.unrevokedCounterpartyCommitments[0]!.commitmentNumber;
  m.unrevokedCounterpartyCommitments.forEach((c, i) => {
    if (c.commitmentNumber !== oldest + i) {
      throw new ValidationError(
        `${field}[${i}].commitmentNumber`,
        `expected ${oldest + i}, got ${c.commitmentNumber}`,
      );
    }
    checkCounterpartyCommitment(m.parameters, c, `${field}[${i}]`);
  });
  // Each revoked commitment gave one secret, and none of the unrevoked ones did.
  if (m.counterpartySecrets.count !== oldest) {
    throw new ValidationError(
      `${path}.counterpartySecrets`,
      `holds ${m.counterpartySecrets.count} secrets, but commitments 0 to ${oldest - 1} are revoked (${oldest} secrets)`,
    );
  }
}

/** Throws unless every record is a real counterparty commitment of the channel `m` holds. */
export function checkRecords(
  m: ChannelMonitor,
  records: readonly CounterpartyCommitment[],
  path: string,
): void {
  const unrevoked = m.unrevokedCounterpartyCommitments;
  const oldest = unrevoked[0]!.commitmentNumber;
  records.forEach((record, i) => {
    const field = `${path}[${i}]`;
    const n = record.commitmentNumber;
    if (n >= oldest) {
      const held = unrevoked[n - oldest];
      if (
        held === undefined ||
        !equalBytes(encodeCounterpartyCommitment(held), encodeCounterpartyCommitment(record))
      ) {
        throw new ValidationError(field, `is not the snapshot's counterparty commitment ${n}`);
      }
      return;
    }
    checkCounterpartyCommitment(m.parameters, record, field);
    const secret = m.counterpartySecrets.getSecret(secretIndexOfCommitment(n));
    if (!equalBytes(perCommitmentPointFromSecret(secret), record.perCommitmentPoint)) {
      throw new ValidationError(
        `${field}.perCommitmentPoint`,
        `is not the point of the revealed secret of commitment ${n}`,
      );
    }
  });
}
