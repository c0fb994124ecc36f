/**
 * The holding cell (LDK's name): updates we want to send while we may not, because we wait for
 * the peer's `revoke_and_ack` or for a reconnection (BOLT 2 "Normal Operation", "Message
 * Retransmission"). They are sent, in order, when the cell is freed; each is checked then against
 * the commitments as they are at that time, and an add that no longer fits is refused back to the
 * caller instead of being sent.
 *
 * Adds get their id only when freed, so ids stay consecutive whatever is refused; the caller
 * follows an add through its `ref`.
 */
import { CommandRefused } from './channel-errors.js';
import type { HtlcRemoval, UpdateMessage } from './changes.js';
import type { Commitments } from './commitments.js';
import { sendFee } from './fee-updates.js';
import { type AddHtlcCommand, sendAdd, sendRemoval } from './htlc-updates.js';

export type HeldUpdate =
  | { readonly kind: 'add'; readonly command: AddHtlcCommand; readonly ref: string }
  | { readonly kind: 'removal'; readonly removal: HtlcRemoval }
  | { readonly kind: 'fee'; readonly feeratePerKw: number };

export interface FreedHoldingCell {
  readonly commitments: Commitments;
  /** The updates to send, in order. */
  readonly sent: readonly UpdateMessage[];
  /** The id each sent add got, by its caller's ref. */
  readonly addedRefs: ReadonlyMap<bigint, string>;
  /** Adds and fee updates that no longer fit, with the rule that refused them. */
  readonly refused: readonly { readonly update: HeldUpdate; readonly error: CommandRefused }[];
}

/** Sends every held update that still passes the sender's checks. */
export function freeHoldingCell(c: Commitments, held: readonly HeldUpdate[]): FreedHoldingCell {
  let commitments = c;
  const sent: UpdateMessage[] = [];
  const addedRefs = new Map<bigint, string>();
  const refused: { update: HeldUpdate; error: CommandRefused }[] = [];
  for (const update of held) {
    try {
      const result = sendHeld(commitments, update);
      commitments = result.commitments;
      sent.push(result.message);
      if (result.message.type === 'update_add_htlc' && update.kind === 'add')
        addedRefs.set(result.message.id, update.ref);
    } catch (e) {
      // Adds and fees can stop fitting (balances moved meanwhile); a removal was checked against
      // an HTLC only we can remove, so its refusal would be a bug.
      if (!(e instanceof CommandRefused) || update.kind === 'removal') throw e;
      refused.push({ update, error: e });
    }
  }
  return { commitments, sent, addedRefs, refused };
}

function sendHeld(c: Commitments, update: HeldUpdate): { commitments: Commitments; message: UpdateMessage } {
  switch (update.kind) {
    case 'add': {
      const { commitments, add } = sendAdd(c, update.command);
      return { commitments, message: add };
    }
    case 'removal':
      return { commitments: sendRemoval(c, update.removal), message: update.removal };
    case 'fee': {
      const { commitments, fee } = sendFee(c, update.feeratePerKw);
      return { commitments, message: fee };
    }
  }
}

/** The removals already queued, which count as removing their HTLC. */
export function heldRemovals(held: readonly HeldUpdate[]): HtlcRemoval[] {
  return held.flatMap((u) => (u.kind === 'removal' ? [u.removal] : []));
}
