/**
 * Bitcoin chain references in the monitor model's messages, as vigil.common.v1.OutPoint and
 * vigil.common.v1.TxOut (proto/vigil/common/v1/chain.proto). Txids stay in internal byte order.
 */
import { create } from '@bufbuild/protobuf';
import * as pb from '@vigil/proto';
import { U32_MAX } from '../bytes.js';
import type { OutPoint, TxOut } from '../bitcoin/tx.js';
import { bytesField, HASH_BYTES, scriptField, u64Field, uintField } from './proto-fields.js';

/** Checks and copies an outpoint; the model and the proto message have the same shape. */
export function outPointField(outpoint: OutPoint, path: string): OutPoint {
  return {
    txid: bytesField(outpoint.txid, HASH_BYTES, `${path}.txid`),
    vout: uintField(outpoint.vout, U32_MAX, `${path}.vout`),
  };
}

/** An output the monitor paid to the tenant: its script is a destination, never empty. */
export function txOutToProto(output: TxOut, path: string): pb.TxOut {
  return create(pb.TxOutSchema, {
    valueSat: u64Field(output.valueSat, `${path}.valueSat`),
    scriptPubkey: scriptField(output.scriptPubKey, `${path}.scriptPubkey`),
  });
}

export function txOutFromProto(message: pb.TxOut, path: string): TxOut {
  return {
    valueSat: u64Field(message.valueSat, `${path}.valueSat`),
    scriptPubKey: scriptField(message.scriptPubkey, `${path}.scriptPubkey`),
  };
}
