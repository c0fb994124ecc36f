/**
 * Reading a WatchChannel frame (proto/vigil/monitor/v1/monitor.proto) into the model: its init or
 * snapshot, with the canonical bytes the update log keeps and repeats are compared with, and the
 * counterparty records sent along (only with a snapshot).
 */
import type * as pb from '@vigil/proto';
import { ValidationError } from '@vigil/shared/errors';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import type { ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import {
  encodeChannelMonitor,
  encodeChannelMonitorInit,
  fromProtoChannelMonitor,
  fromProtoChannelMonitorInit,
  fromProtoCounterpartyCommitment,
} from '@vigil/shared/monitor-model/proto-codec';
import { listField, missingCase } from '@vigil/shared/monitor-model/proto-fields';
import type { AckIds } from './acks.js';

export const RECORDS_FIELD = 'watchChannel.counterpartyCommitments';

export type DecodedWatch =
  | {
      readonly kind: 'init';
      readonly channelId: Uint8Array;
      readonly init: ChannelMonitorInit;
      readonly payload: Uint8Array;
    }
  | {
      readonly kind: 'snapshot';
      readonly channelId: Uint8Array;
      readonly monitor: ChannelMonitor;
      readonly payload: Uint8Array;
      readonly records: readonly CounterpartyCommitment[];
    };

/** The channel and update id a WatchChannel is about, as sent (before any check). */
export function watchIds(message: pb.WatchChannel): AckIds {
  const source = message.monitor;
  if (source.case === 'snapshot')
    return { channelId: source.value.channelId, updateId: source.value.latestUpdateId };
  return { channelId: source.value?.channelId ?? new Uint8Array(), updateId: 0n };
}

/** Throws a VigilError naming the field that is malformed. */
export function decodeWatch(message: pb.WatchChannel): DecodedWatch {
  const records = listField(message.counterpartyCommitments, RECORDS_FIELD, (record, path) =>
    fromProtoCounterpartyCommitment(record, path),
  );
  const source = message.monitor;
  switch (source.case) {
    case 'init': {
      if (records.length > 0) {
        throw new ValidationError(
          RECORDS_FIELD,
          'must be empty with an init (its initial commitment is its record)',
        );
      }
      const init = fromProtoChannelMonitorInit(source.value, 'watchChannel.init');
      return { kind: 'init', channelId: init.channelId, init, payload: encodeChannelMonitorInit(init) };
    }
    case 'snapshot': {
      const monitor = fromProtoChannelMonitor(source.value, 'watchChannel.snapshot');
      return {
        kind: 'snapshot',
        channelId: monitor.channelId,
        monitor,
        payload: encodeChannelMonitor(monitor),
        records,
      };
    }
    default:
      throw missingCase('watchChannel.monitor', ['init', 'snapshot']);
  }
}
