import { sha256 } from '@vigil/shared/bitcoin/hash';
import type { Block } from '@vigil/shared/bitcoin/block';
import type { OutPoint, Transaction } from '@vigil/shared/bitcoin/tx';
import { ValidationError } from '@vigil/shared/errors';
import { describe, expect, it } from 'vitest';
import {
  outpointKey,
  type WatchedChannel,
  type WatchedEntry,
  WatchedOutpoints,
} from '../../src/enforce/watched-outpoints.js';

const outpoint = (n: number, vout = 0): OutPoint => ({
  txid: sha256(new Uint8Array(Uint32Array.of(n).buffer)),
  vout,
});
const channel = (n: number, tenant = 1): WatchedChannel => ({
  tenant: new Uint8Array(33).fill(tenant),
  channelId: new Uint8Array(32).fill(n),
});
const funding = (c: WatchedChannel): WatchedEntry => ({ channel: c, depth: 0 });

/** A transaction spending `prevouts`, shaped like a P2WPKH payment. */
function spending(...prevouts: OutPoint[]): Transaction {
  return {
    version: 2,
    inputs: prevouts.map((prevout) => ({
      prevout,
      scriptSig: new Uint8Array(0),
      sequence: 0xffff_fffd,
      witness: [new Uint8Array(71), new Uint8Array(33)],
    })),
    outputs: [{ valueSat: 10_000n, scriptPubKey: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20)) }],
    locktime: 0,
  };
}

const coinbase = spending({ txid: new Uint8Array(32), vout: 0xffff_ffff });
const blockOf = (...transactions: Transaction[]): Block => ({
  header: {
    version: 4,
    prevBlockHash: new Uint8Array(32),
    merkleRoot: new Uint8Array(32),
    time: 0,
    bits: 0x207f_ffff,
    nonce: 0,
  },
  transactions: [coinbase, ...transactions],
});

describe('WatchedOutpoints', () => {
  it('keys an outpoint by its 36-byte serialization, one latin1 character per byte', () => {
    const key = outpointKey({ txid: new Uint8Array(32).fill(0xab), vout: 0x0102_03ff });
    expect(key).toHaveLength(36);
    expect(Buffer.from(key, 'latin1').subarray(32)).toEqual(Buffer.from([0xff, 0x03, 0x02, 0x01]));
    expect(outpointKey(outpoint(1, 0))).not.toBe(outpointKey(outpoint(1, 1)));
  });

  it('adds, looks up and removes an outpoint', () => {
    const index = new WatchedOutpoints();
    index.add(outpoint(1), funding(channel(1)));
    expect(index.size).toBe(1);
    expect(index.has(outpoint(1))).toBe(true);
    expect(index.has(outpoint(1, 1))).toBe(false);
    expect(index.get(outpoint(1))).toEqual([funding(channel(1))]);
    expect(index.get(outpoint(2))).toEqual([]);

    expect(index.remove(outpoint(1), channel(2))).toBe(false);
    expect(index.remove(outpoint(1), channel(1))).toBe(true);
    expect(index.remove(outpoint(1), channel(1))).toBe(false);
    expect(index.has(outpoint(1))).toBe(false);
    expect(index.size).toBe(0);
  });

  it("replaces a channel's entry when the same channel adds the same outpoint again", () => {
    const index = new WatchedOutpoints();
    index.add(outpoint(1), funding(channel(1)));
    const htlcOutput: WatchedEntry = { channel: channel(1), depth: 1 };
    index.add(outpoint(1), htlcOutput);
    expect(index.size).toBe(1);
    expect(index.get(outpoint(1))).toEqual([htlcOutput]);
  });

  it('keeps one entry per channel when two tenants watch the same outpoint', () => {
    const index = new WatchedOutpoints();
    const alice = channel(1, 0xaa);
    const bob = channel(1, 0xbb);
    index.add(outpoint(1), funding(alice));
    index.add(outpoint(1), funding(bob));
    expect(index.size).toBe(2);

    const spends = index.spendsInTx(spending(outpoint(1)));
    expect(spends.map((s) => s.entry.channel)).toEqual([alice, bob]);

    index.remove(outpoint(1), alice);
    expect(index.get(outpoint(1))).toEqual([funding(bob)]);
    expect(index.size).toBe(1);
  });

  it('refuses the null outpoint and malformed outpoints', () => {
    const index = new WatchedOutpoints();
    const watch = (o: OutPoint) => () => index.add(o, funding(channel(1)));
    expect(watch({ txid: new Uint8Array(32), vout: 0xffff_ffff })).toThrow(ValidationError);
    expect(watch({ txid: new Uint8Array(31), vout: 0 })).toThrow('outpoint.txid');
    expect(watch({ txid: new Uint8Array(32), vout: -1 })).toThrow('outpoint.vout');
    expect(index.size).toBe(0);
  });

  it('finds the spending input of a transaction', () => {
    const index = new WatchedOutpoints();
    index.add(outpoint(5, 1), funding(channel(5)));
    const tx = spending(outpoint(4), outpoint(5, 1), outpoint(5, 2));
    expect(index.spendsInTx(tx)).toEqual([{ tx, inputIndex: 1, entry: funding(channel(5)) }]);
    expect(index.spendsInTx(spending(outpoint(5, 0)))).toEqual([]);
  });

  it('finds the spends in a block, skipping the coinbase and unrelated transactions', () => {
    const index = new WatchedOutpoints();
    index.add(outpoint(1), funding(channel(1)));
    index.add(outpoint(2), funding(channel(2)));
    const unrelated = spending(outpoint(100), outpoint(101));
    const first = spending(outpoint(102), outpoint(2));
    const second = spending(outpoint(1));
    const spends = index.spendsInBlock(blockOf(unrelated, first, unrelated, second));
    expect(spends).toEqual([
      { tx: first, inputIndex: 1, entry: funding(channel(2)) },
      { tx: second, inputIndex: 0, entry: funding(channel(1)) },
    ]);
    expect(index.spendsInBlock(blockOf())).toEqual([]);
  });

  it('finds the few spends among many channels', () => {
    const index = new WatchedOutpoints();
    const channels = 20_000;
    for (let n = 0; n < channels; n++) index.add(outpoint(n, n % 3), funding(channel(n % 256, n >> 8)));
    expect(index.size).toBe(channels);
    const watched = [17, 4_242, 19_999].map((n) => outpoint(n, n % 3));
    const notWatched = [outpoint(17, 0), outpoint(channels), outpoint(4_242, 1)];
    const block = blockOf(...[...notWatched, ...watched].map((o) => spending(o)));
    const spends = index.spendsInBlock(block);
    expect(spends.map((s) => s.tx.inputs[s.inputIndex]!.prevout)).toEqual(watched);
    expect(spends.map((s) => s.entry.channel)).toEqual(
      [17, 4_242, 19_999].map((n) => channel(n % 256, n >> 8)),
    );
  });
});
