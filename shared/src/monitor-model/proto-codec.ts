/**
 * The monitor model on the wire: every value a manager sends a monitor (the `ChannelMonitorInit`,
 * `ChannelMonitor` snapshots, each `ChannelMonitorUpdate`, the per-commitment
 * `CounterpartyCommitment` records) and every `MonitorEvent` it sends back, converted losslessly to
 * and from the messages of proto/vigil/monitor/v1/model.proto and their bytes.
 *
 * For each type:
 * - `toProto…(value)`: the message, after checking the value's shape (lengths, ranges, presence),
 *   so a malformed value fails at the sender, not at the monitor;
 * - `fromProto…(message)`: the value, for a message parsed as part of a larger one (a gRPC frame);
 *   strict: unknown fields, missing required sub-messages, unset oneofs, wrong lengths and
 *   out-of-range numbers throw a DecodeError or ValidationError naming the field path;
 * - `encode…(value)`: the message's bytes;
 * - `decode…(bytes)`: the value, strictly: besides `fromProto…`'s checks, the bytes must parse and
 *   must be the canonical encoding of the value they decode to.
 *
 * Determinism: `encode` is a function of the value (fields in number order, defaults omitted,
 * preimages sorted by payment hash), so equal values give equal bytes; and since `decode` accepts
 * only canonical bytes, `encode(decode(bytes))` equals `bytes` for every input `decode` accepts.
 * The monitor service can therefore decide whether a repeated update is the same one by comparing
 * bytes; for a message that arrived inside a frame, compare `encode(fromProto(message))`.
 *
 * Shapes only: whether signatures verify, commitment numbers follow on, or secrets match their
 * points is for `createChannelMonitor` and `applyUpdate`. Error messages never contain the bytes of
 * a field.
 */
import { fromBinary, type Message, toBinary } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import * as pb from '@vigil/proto';
import { DecodeError, ValidationError } from '../errors.js';
import { counterpartyCommitmentField, counterpartyCommitmentToProto } from './proto-commitment.js';
import { eventFromProto, eventToProto } from './proto-event.js';
import { rejectUnknownFields } from './proto-fields.js';
import {
  channelMonitorFromProto,
  channelMonitorToProto,
  initFromProto,
  initToProto,
} from './proto-monitor.js';
import { updateFromProto, updateToProto } from './proto-update.js';

interface ProtoCodec<T, M extends Message> {
  toProto(value: T, path?: string): M;
  fromProto(message: M, path?: string): T;
  encode(value: T, path?: string): Uint8Array;
  decode(bytes: Uint8Array, path?: string): T;
}

/** The four conversions of one type, from its two converters; `root` names the value in errors. */
function protoCodec<T, M extends Message>(
  schema: GenMessage<M>,
  root: string,
  toProto: (value: T, path: string) => M,
  fromProto: (message: M, path: string) => T,
): ProtoCodec<T, M> {
  const strictFromProto = (message: M, path = root): T => {
    rejectUnknownFields(schema, message, path);
    return fromProto(message, path);
  };
  const encode = (value: T, path = root): Uint8Array => toBinary(schema, toProto(value, path));
  return {
    toProto: (value, path = root) => toProto(value, path),
    fromProto: strictFromProto,
    encode,
    decode(bytes, path = root) {
      const value = strictFromProto(parse(schema, bytes, path), path);
      expectCanonical(encode(value, path), bytes, path);
      return value;
    },
  };
}

/** `fromBinary`, with any failure to parse (truncation, bad tags, runaway nesting) a DecodeError. */
function parse<M extends Message>(schema: GenMessage<M>, bytes: Uint8Array, path: string): M {
  if (!(bytes instanceof Uint8Array)) throw new ValidationError(path, `expected bytes, got ${typeof bytes}`);
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    throw new DecodeError(path, `is not a ${schema.typeName}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Throws unless `bytes` are exactly the canonical encoding: otherwise two different byte strings
 * (fields reordered or repeated, defaults written out, overlong varints) would mean one value, and
 * a repeated update could not be recognised by its bytes.
 */
function expectCanonical(canonical: Uint8Array, bytes: Uint8Array, path: string): void {
  const n = Math.min(canonical.length, bytes.length);
  let at = 0;
  while (at < n && canonical[at] === bytes[at]) at++;
  if (at === n && canonical.length === bytes.length) return;
  throw new DecodeError(
    path,
    `is not the canonical encoding of its value (differs from byte ${at} of ${bytes.length}: fields out of order or repeated, defaults written, or overlong varints)`,
  );
}

/** A channel's full monitor state (DESIGN "The domain"), sent as a `WatchChannel` snapshot. */
export const {
  toProto: toProtoChannelMonitor,
  fromProto: fromProtoChannelMonitor,
  encode: encodeChannelMonitor,
  decode: decodeChannelMonitor,
} = protoCodec(pb.ChannelMonitorSchema, 'monitor', channelMonitorToProto, channelMonitorFromProto);

/** One update of a channel's monitor. */
export const {
  toProto: toProtoChannelMonitorUpdate,
  fromProto: fromProtoChannelMonitorUpdate,
  encode: encodeChannelMonitorUpdate,
  decode: decodeChannelMonitorUpdate,
} = protoCodec(pb.ChannelMonitorUpdateSchema, 'update', updateToProto, updateFromProto);

/** A counterparty commitment, as the per-commitment record stored outside the snapshot. */
export const {
  toProto: toProtoCounterpartyCommitment,
  fromProto: fromProtoCounterpartyCommitment,
  encode: encodeCounterpartyCommitment,
  decode: decodeCounterpartyCommitment,
} = protoCodec(
  pb.CounterpartyCommitmentSchema,
  'counterpartyCommitment',
  counterpartyCommitmentToProto,
  counterpartyCommitmentField,
);

/** What a monitor reports to the manager. */
export const {
  toProto: toProtoMonitorEvent,
  fromProto: fromProtoMonitorEvent,
  encode: encodeMonitorEvent,
  decode: decodeMonitorEvent,
} = protoCodec(pb.MonitorEventSchema, 'event', eventToProto, eventFromProto);

/** What `createChannelMonitor` takes. */
export const {
  toProto: toProtoChannelMonitorInit,
  fromProto: fromProtoChannelMonitorInit,
  encode: encodeChannelMonitorInit,
  decode: decodeChannelMonitorInit,
} = protoCodec(pb.ChannelMonitorInitSchema, 'init', initToProto, initFromProto);
