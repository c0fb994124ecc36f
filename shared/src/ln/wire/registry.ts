/**
 * Whole Lightning messages, BOLT 1 "Lightning Message Format" (01-messaging.md): a 2-byte
 * big-endian type, then the payload. This is the one entry point for the peer layer:
 * `decodeMessage` turns a decrypted message into a typed value and `encodeMessage` does the
 * reverse, for every message of BOLT 1 and of BOLT 2's v1 channel flow.
 *
 * "It's OK to be odd": a message type this node does not know is returned as an `UnknownMessage`
 * when odd (the caller ignores it) and rejected when even (the caller must close the connection).
 */
import { ByteReader, ByteWriter, U16_MAX, expectBytes, expectUint } from '../../bytes.js';
import { DecodeError, ValidationError } from '../../errors.js';
import {
  type AcceptChannel,
  type ChannelReady,
  type FundingCreated,
  type FundingSigned,
  type OpenChannel,
  acceptChannelMessage,
  channelReadyMessage,
  fundingCreatedMessage,
  fundingSignedMessage,
  openChannelMessage,
} from './channel-establishment.js';
import { type ClosingSigned, type Shutdown, closingSignedMessage, shutdownMessage } from './channel-close.js';
import { type ChannelReestablish, channelReestablishMessage } from './channel-reestablish.js';
import { type ErrorMessage, type Warning, errorMessage, warningMessage } from './error.js';
import { type Init, initMessage } from './init.js';
import type { MessageDefinition } from './message.js';
import {
  type CommitmentSigned,
  type RevokeAndAck,
  type UpdateAddHtlc,
  type UpdateFailHtlc,
  type UpdateFailMalformedHtlc,
  type UpdateFee,
  type UpdateFulfillHtlc,
  commitmentSignedMessage,
  revokeAndAckMessage,
  updateAddHtlcMessage,
  updateFailHtlcMessage,
  updateFailMalformedHtlcMessage,
  updateFeeMessage,
  updateFulfillHtlcMessage,
} from './normal-operation.js';
import { type Ping, type Pong, pingMessage, pongMessage } from './ping.js';

/** Every message this node understands, discriminated by `type` (the spec's name). */
export type WireMessage =
  | Init
  | ErrorMessage
  | Warning
  | Ping
  | Pong
  | OpenChannel
  | AcceptChannel
  | FundingCreated
  | FundingSigned
  | ChannelReady
  | Shutdown
  | ClosingSigned
  | UpdateAddHtlc
  | UpdateFulfillHtlc
  | UpdateFailHtlc
  | UpdateFailMalformedHtlc
  | CommitmentSigned
  | RevokeAndAck
  | UpdateFee
  | ChannelReestablish;

export type WireMessageName = WireMessage['type'];

/** A message of an odd type this node does not know: to be ignored, or relayed as is. */
export interface UnknownMessage {
  readonly type: 'unknown';
  /** The 2-byte type number, always odd. */
  readonly messageType: number;
  readonly payload: Uint8Array;
}

/** BOLT 1: the transport frames a message (type included) with a u16 length. */
export const MAX_MESSAGE_SIZE = U16_MAX;

/** Typed by name so the compiler checks that every member of `WireMessage` has its definition. */
const DEFINITIONS: {
  readonly [N in WireMessageName]: MessageDefinition<N, Extract<WireMessage, { type: N }>>;
} = {
  init: initMessage,
  error: errorMessage,
  warning: warningMessage,
  ping: pingMessage,
  pong: pongMessage,
  open_channel: openChannelMessage,
  accept_channel: acceptChannelMessage,
  funding_created: fundingCreatedMessage,
  funding_signed: fundingSignedMessage,
  channel_ready: channelReadyMessage,
  shutdown: shutdownMessage,
  closing_signed: closingSignedMessage,
  update_add_htlc: updateAddHtlcMessage,
  update_fulfill_htlc: updateFulfillHtlcMessage,
  update_fail_htlc: updateFailHtlcMessage,
  update_fail_malformed_htlc: updateFailMalformedHtlcMessage,
  commitment_signed: commitmentSignedMessage,
  revoke_and_ack: revokeAndAckMessage,
  update_fee: updateFeeMessage,
  channel_reestablish: channelReestablishMessage,
};

type AnyDefinition = MessageDefinition<WireMessageName, WireMessage>;

const BY_NAME: ReadonlyMap<string, AnyDefinition> = new Map(
  Object.entries(DEFINITIONS) as [string, AnyDefinition][],
);

const BY_TYPE: ReadonlyMap<number, AnyDefinition> = indexByType([...BY_NAME.values()]);

function indexByType(definitions: readonly AnyDefinition[]): Map<number, AnyDefinition> {
  const byType = new Map<number, AnyDefinition>();
  for (const definition of definitions) {
    const clash = byType.get(definition.type);
    if (clash !== undefined) {
      throw new ValidationError(
        `${definition.name}.type`,
        `type ${definition.type} is already ${clash.name}`,
      );
    }
    byType.set(definition.type, definition);
  }
  return byType;
}

/** Each known message's type number, e.g. `MESSAGE_TYPE.update_add_htlc === 128`. */
export const MESSAGE_TYPE: { readonly [N in WireMessageName]: number } = Object.fromEntries(
  [...BY_NAME].map(([name, definition]) => [name, definition.type]),
) as { readonly [N in WireMessageName]: number };

/**
 * Decodes one whole message (type and payload, as the transport delivered it). Every failure is a
 * DecodeError naming the field: `message.type` for the framing, `<name>.<field>` for a known
 * message's contents, `<name>.tlvs...` for its extension.
 */
export function decodeMessage(bytes: Uint8Array): WireMessage | UnknownMessage {
  expectBytes(bytes, 'message');
  if (bytes.length > MAX_MESSAGE_SIZE) {
    throw new DecodeError('message', `${bytes.length} bytes exceed the ${MAX_MESSAGE_SIZE}-byte maximum`);
  }
  const reader = new ByteReader(bytes);
  const type = reader.u16be('message.type');
  const payload = reader.rest();
  const definition = BY_TYPE.get(type);
  if (definition !== undefined) return definition.readPayload(payload);
  if (isEven(type)) {
    throw new DecodeError(
      'message.type',
      `unknown even type ${type}: the sender requires it to be understood`,
    );
  }
  return { type: 'unknown', messageType: type, payload };
}

/** Encodes a message, type included. A value that breaks its message's encoding is a ValidationError. */
export function encodeMessage(message: WireMessage | UnknownMessage): Uint8Array {
  if (typeof message !== 'object' || message === null) {
    throw new ValidationError(
      'message',
      `expected a message, got ${message === null ? 'null' : typeof message}`,
    );
  }
  const writer = new ByteWriter();
  if (message.type === 'unknown') writeUnknown(writer, message);
  else writeKnown(writer, message);
  const bytes = writer.finish();
  if (bytes.length > MAX_MESSAGE_SIZE) {
    throw new ValidationError(
      message.type === 'unknown' ? 'message' : message.type,
      `${bytes.length} bytes exceed the ${MAX_MESSAGE_SIZE}-byte maximum`,
    );
  }
  return bytes;
}

function writeKnown(writer: ByteWriter, message: WireMessage): void {
  const definition = BY_NAME.get(message.type);
  if (definition === undefined) {
    throw new ValidationError('message.type', `unknown message ${JSON.stringify(String(message.type))}`);
  }
  writer.u16be(definition.type);
  definition.writePayload(writer, message);
}

/**
 * An unknown message may only be odd (an even one obliges the peer to understand it) and may not
 * reuse a known type (that message has a typed form, which is checked).
 */
function writeUnknown(writer: ByteWriter, message: UnknownMessage): void {
  const type = expectUint(message.messageType, U16_MAX, 'message.messageType');
  const known = BY_TYPE.get(type);
  if (known !== undefined) throw new ValidationError('message.messageType', `type ${type} is ${known.name}`);
  if (isEven(type)) throw new ValidationError('message.messageType', `unknown type ${type} is even`);
  writer.u16be(type);
  writer.bytes(expectBytes(message.payload, 'message.payload'));
}

function isEven(type: number): boolean {
  return type % 2 === 0;
}
