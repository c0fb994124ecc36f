/**
 * The two ways a channel says no (BOLT 2 "Normal Operation" and "Channel Establishment v1"
 * requirements): the peer broke a receiving requirement, which fails the channel (BOLT 1 `error`,
 * then a force close); or our own caller asked for something the channel cannot do now, which
 * changes nothing.
 *
 * `field` names the message field in the spec's words (`update_add_htlc.amount_msat`), `problem`
 * states the rule that was broken; both go to the peer in the `error` text, so neither may contain
 * secret material.
 */
import { VigilError } from '@vigil/shared/errors';
import { validatePubkey } from '@vigil/shared/bitcoin/secp256k1';

/** The peer violated BOLT 2: the channel fails with this text in its `error` message. */
export class ProtocolViolation extends VigilError {}

/** A command (add, fulfill, update_fee, shutdown...) the channel cannot carry out in its state. */
export class CommandRefused extends VigilError {}

/** Throws a ProtocolViolation naming `field` unless the peer's `point` is a valid public key. */
export function expectPeerPoint(point: Uint8Array, field: string): void {
  try {
    validatePubkey(point, field);
  } catch (e) {
    if (e instanceof VigilError) throw new ProtocolViolation(e.field, e.problem);
    throw e;
  }
}

/**
 * The peer proved (with our own revocation secret) that we lost state: the channel fails, but our
 * commitment may be revoked, so it must not be broadcast (BOLT 2 "Message Retransmission").
 */
export class LocalDataLoss extends ProtocolViolation {}
