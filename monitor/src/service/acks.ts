/**
 * UpdateAcks (DESIGN.md rule 3), and the refusals behind INVALID ones. Handling a frame throws a
 * VigilError for anything the tenant got wrong; `refusalOf` turns it into the ack's reason and
 * detail (the error's `field: problem` message). Anything else is not the tenant's fault (the
 * database failed): it is not answered with an ack at all, and the session ends instead.
 */
import * as pb from '@vigil/proto';
import { VigilError } from '@vigil/shared/errors';
import { InvalidUpdateError } from '@vigil/shared/monitor-model/apply-update';
import { RecordConflictError } from '../store/counterparty-records.js';
import { QuotaExceededError } from '../store/tenant-usage.js';
import type { LogEntry } from '../store/update-log.js';

export type AckInit = pb.MessageInitShape<typeof pb.UpdateAckSchema>;

/** What an ack is about: the channel and update id the frame carried. */
export interface AckIds {
  readonly channelId: Uint8Array;
  readonly updateId: bigint;
}

/** A frame refused for `reason`; `field` is the path into the frame. */
export class Refusal extends VigilError {
  constructor(
    readonly reason: pb.InvalidReason,
    field: string,
    problem: string,
  ) {
    super(field, problem);
  }
}

export function invalidAck(ids: AckIds, reason: pb.InvalidReason, detail: string): AckInit {
  return { ...ids, status: pb.UpdateStatus.INVALID, reason, detail };
}

/**
 * The ack of a committed change, or of its repeat (the same log entry, so the same receipt).
 * `lockdown` says why the channel is locked down, the detail of a REJECTED_AFTER_LOCKDOWN.
 */
export function storedAck(
  ids: AckIds,
  entry: Pick<LogEntry, 'status' | 'stateHash' | 'receipt'>,
  lockdown: string,
): AckInit {
  const rejected = entry.status === pb.UpdateStatus.REJECTED_AFTER_LOCKDOWN;
  return {
    ...ids,
    status: entry.status,
    detail: rejected ? lockdown : '',
    stateHash: entry.stateHash,
    receipt: entry.receipt,
  };
}

function reasonOf(e: VigilError): pb.InvalidReason {
  if (e instanceof Refusal) return e.reason;
  if (e instanceof QuotaExceededError) return pb.InvalidReason.QUOTA_EXCEEDED;
  if (e instanceof RecordConflictError) return pb.InvalidReason.CONFLICT;
  if (e instanceof InvalidUpdateError && e.reason === 'update_id_gap') return pb.InvalidReason.UPDATE_ID_GAP;
  // Anything else failed a shape or validity check of the frame's contents.
  return pb.InvalidReason.MALFORMED;
}

/** The INVALID ack for `e`, or undefined when `e` is not the tenant's mistake. */
export function refusalAck(ids: AckIds, e: unknown): AckInit | undefined {
  return e instanceof VigilError ? invalidAck(ids, reasonOf(e), e.message) : undefined;
}
