/**
 * Applying a `ChannelMonitorUpdate` to a `ChannelMonitor` (DESIGN.md "The domain"), with the
 * validation a monitor owes its tenant before it acknowledges anything:
 * - update ids: exactly one more than the last applied, for this very channel;
 * - commitments: numbers advance by one; a holder commitment carries valid counterparty signatures;
 *   a counterparty commitment's txid is what its data rebuilds to; at most two counterparty
 *   commitments are unrevoked at once (BOLT 2: no `commitment_signed` before the previous
 *   `revoke_and_ack`);
 * - secrets: each revokes the oldest unrevoked counterparty commitment, matches its per-commitment
 *   point, and is consistent with every secret before it (shachain);
 * - lockdown: an update arriving after lockdown is still applied, so a stale replica keeps the
 *   newest state to claim against, but it is reported as applied-after-lockdown.
 *
 * Pure: the result is a new monitor plus the counterparty commitment records to persist.
 */
import { equalBytes, toHex } from '../bytes.js';
import { VigilError, ValidationError } from '../errors.js';
import { sha256 } from '../bitcoin/hash.js';
import { perCommitmentPointFromSecret } from '../ln/keys.js';
import {
  type ChannelMonitor,
  type CounterpartyCommitment,
  isLockedDown,
  type MonitorHtlc,
} from './channel-monitor.js';
import {
  checkCounterpartyCommitment,
  checkHolderCommitment,
  secretIndexOfCommitment,
} from './commitment-checks.js';
import type { ChannelMonitorUpdate, ChannelMonitorUpdateStep } from './monitor-update.js';
import { checkScript } from './script-checks.js';

/** Why an update was refused; the monitor service answers `INVALID` with this reason. */
export type InvalidUpdateReason = 'channel_mismatch' | 'update_id_gap' | 'invalid_step';

export class InvalidUpdateError extends ValidationError {
  constructor(
    readonly reason: InvalidUpdateReason,
    field: string,
    problem: string,
  ) {
    super(field, problem);
  }
}

export interface AppliedUpdate {
  readonly monitor: ChannelMonitor;
  /** Counterparty commitments this update introduced, to store outside the snapshot. */
  readonly counterpartyCommitments: readonly CounterpartyCommitment[];
  /** The monitor was already locked down: stored, but answered as rejected-after-lockdown. */
  readonly afterLockdown: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Applies `update` or throws an InvalidUpdateError; `monitor` itself is never modified. */
export function applyUpdate(monitor: ChannelMonitor, update: ChannelMonitorUpdate): AppliedUpdate {
  checkEnvelope(monitor, update);
  const next: Mutable<ChannelMonitor> = { ...monitor, latestUpdateId: update.updateId };
  const counterpartyCommitments: CounterpartyCommitment[] = [];
  update.steps.forEach((step, i) => {
    const field = `update.steps[${i}]`;
    try {
      applyStep(next, step, field, counterpartyCommitments);
    } catch (e) {
      if (e instanceof VigilError && !(e instanceof InvalidUpdateError)) {
        // Helpers name fields relative to what they were given; keep the path to the step.
        const path = e.field.startsWith(field) ? e.field : `${field}.${e.field}`;
        throw new InvalidUpdateError('invalid_step', path, e.problem);
      }
      throw e;
    }
  });
  next.paymentPreimages = referencedPreimages(next);
  return { monitor: next, counterpartyCommitments, afterLockdown: isLockedDown(monitor) };
}

function checkEnvelope(monitor: ChannelMonitor, update: ChannelMonitorUpdate): void {
  if (!equalBytes(update.channelId, monitor.channelId)) {
    throw new InvalidUpdateError(
      'channel_mismatch',
      'update.channelId',
      `is not this monitor's channel ${toHex(monitor.channelId)}`,
    );
  }
  const expected = monitor.latestUpdateId + 1;
  if (update.updateId !== expected) {
    throw new InvalidUpdateError(
      'update_id_gap',
      'update.updateId',
      `expected ${expected}, got ${update.updateId}`,
    );
  }
  if (!Array.isArray(update.steps) || update.steps.length === 0) {
    throw new InvalidUpdateError('invalid_step', 'update.steps', 'expected at least one step');
  }
}

function applyStep(
  m: Mutable<ChannelMonitor>,
  step: ChannelMonitorUpdateStep,
  field: string,
  counterpartyCommitments: CounterpartyCommitment[],
): void {
  switch (step.kind) {
    case 'latestHolderCommitment': {
      expectNextNumber(
        step.commitment.commitmentNumber,
        m.currentHolderCommitment.commitmentNumber,
        `${field}.commitment`,
      );
      checkHolderCommitment(m.parameters, m.secrets, step.commitment, `${field}.commitment`);
      m.previousHolderCommitment = m.currentHolderCommitment;
      m.currentHolderCommitment = step.commitment;
      return;
    }
    case 'latestCounterpartyCommitment': {
      const unrevoked = m.unrevokedCounterpartyCommitments;
      const latest = unrevoked[unrevoked.length - 1]!;
      if (unrevoked.length >= 2) {
        throw new ValidationError(
          field,
          `counterparty commitment ${unrevoked[0]!.commitmentNumber} is not revoked yet`,
        );
      }
      expectNextNumber(step.commitment.commitmentNumber, latest.commitmentNumber, `${field}.commitment`);
      checkCounterpartyCommitment(m.parameters, step.commitment, `${field}.commitment`);
      m.unrevokedCounterpartyCommitments = [...unrevoked, step.commitment];
      counterpartyCommitments.push(step.commitment);
      return;
    }
    case 'commitmentSecret': {
      const [oldest, newer] = m.unrevokedCounterpartyCommitments;
      if (newer === undefined) {
        throw new ValidationError(
          field,
          `would revoke counterparty commitment ${oldest!.commitmentNumber}, which has no successor`,
        );
      }
      const expectedIndex = secretIndexOfCommitment(oldest!.commitmentNumber);
      if (step.index !== expectedIndex) {
        throw new ValidationError(
          `${field}.index`,
          `expected ${expectedIndex} (commitment ${oldest!.commitmentNumber}), got ${step.index}`,
        );
      }
      if (!equalBytes(perCommitmentPointFromSecret(step.secret), oldest!.perCommitmentPoint)) {
        throw new ValidationError(
          `${field}.secret`,
          `is not the secret of commitment ${oldest!.commitmentNumber}'s per-commitment point`,
        );
      }
      m.counterpartySecrets = m.counterpartySecrets.insertSecret(step.index, step.secret);
      m.unrevokedCounterpartyCommitments = [newer];
      return;
    }
    case 'paymentPreimage': {
      const hash = sha256(expectPreimage(step.preimage, `${field}.preimage`));
      m.paymentPreimages = new Map([...m.paymentPreimages, [toHex(hash), step.preimage]]);
      return;
    }
    case 'channelForceClosed': {
      if (typeof step.shouldBroadcast !== 'boolean')
        throw new ValidationError(`${field}.shouldBroadcast`, 'expected a boolean');
      m.forceClosed = true;
      // Broadcasting means signing our latest commitment: from then on nothing newer may be signed.
      if (step.shouldBroadcast) m.holderCommitmentSigned = true;
      return;
    }
    case 'shutdownScript': {
      checkScript(step.script, `${field}.script`);
      if (m.shutdownScript !== undefined && !equalBytes(m.shutdownScript, step.script)) {
        throw new ValidationError(`${field}.script`, 'a different shutdown script is already set');
      }
      m.shutdownScript = step.script;
      return;
    }
    default:
      throw new ValidationError(
        `${field}.kind`,
        `unknown step kind ${JSON.stringify((step as { kind: unknown }).kind)}`,
      );
  }
}

function expectNextNumber(got: number, current: number, field: string): void {
  if (got !== current + 1)
    throw new ValidationError(`${field}.commitmentNumber`, `expected ${current + 1}, got ${got}`);
}

function expectPreimage(preimage: Uint8Array, field: string): Uint8Array {
  if (!(preimage instanceof Uint8Array) || preimage.length !== 32) {
    throw new ValidationError(
      field,
      `expected 32 bytes, got ${preimage instanceof Uint8Array ? preimage.length : typeof preimage}`,
    );
  }
  return preimage;
}

/**
 * The preimages still needed: those of HTLCs on the holder's current or previous commitment or on
 * an unrevoked counterparty commitment. (A revoked commitment is claimed through its revocation
 * key, never with a preimage.)
 */
function referencedPreimages(m: ChannelMonitor): ReadonlyMap<string, Uint8Array> {
  const live: MonitorHtlc[] = [
    ...m.currentHolderCommitment.htlcs,
    ...(m.previousHolderCommitment?.htlcs ?? []),
    ...m.unrevokedCounterpartyCommitments.flatMap((c) => c.htlcs),
  ];
  const referenced = new Set(live.map((htlc) => toHex(htlc.paymentHash)));
  return new Map([...m.paymentPreimages].filter(([hash]) => referenced.has(hash)));
}
