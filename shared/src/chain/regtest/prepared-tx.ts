/**
 * A transaction with what validation needs over and over computed once: both serializations, txid
 * and wtxid (BIP 141), weight and virtual size. Maps inside the node are keyed by the hex of the
 * internal-order hash ("key"); bitcoind's byte-reversed display hex appears only at the RPC edge.
 */
import { reverseBytes, toHex } from '../../bytes.js';
import { hash256 } from '../../bitcoin/hash.js';
import { encodeTx, type OutPoint, type Transaction } from '../../bitcoin/tx.js';

const WITNESS_SCALE_FACTOR = 4;

export interface PreparedTx {
  readonly tx: Transaction;
  /** The full serialization (with witnesses when there are any). */
  readonly raw: Uint8Array;
  /** Internal-order txid. */
  readonly txid: Uint8Array;
  readonly txidKey: string;
  readonly wtxidKey: string;
  /** Size without witnesses ("stripped"). */
  readonly baseSize: number;
  readonly weight: number;
  readonly vsize: number;
}

/** Prepares `tx`; `raw` may be passed when the caller already has its full serialization. */
export function prepareTx(tx: Transaction, raw: Uint8Array = encodeTx(tx)): PreparedTx {
  const stripped = encodeTx(tx, { witness: false });
  const txid = hash256(stripped);
  const weight = stripped.length * (WITNESS_SCALE_FACTOR - 1) + raw.length;
  return {
    tx,
    raw,
    txid,
    txidKey: toHex(txid),
    wtxidKey: stripped.length === raw.length ? toHex(txid) : toHex(hash256(raw)),
    baseSize: stripped.length,
    weight,
    vsize: Math.ceil(weight / WITNESS_SCALE_FACTOR),
  };
}

/** The key (internal-order hex) of a display-order hash, or the reverse: the map is its own inverse. */
export function flipHashHex(hex: string): string {
  return toHex(reverseBytes(Buffer.from(hex, 'hex')));
}

/** Map key of an outpoint: `<txid key>:<vout>`. */
export function outpointKey(txidKey: string, vout: number): string {
  return `${txidKey}:${vout}`;
}

/** Map key of `outpoint`. */
export function keyOfOutpoint(outpoint: OutPoint): string {
  return outpointKey(toHex(outpoint.txid), outpoint.vout);
}
