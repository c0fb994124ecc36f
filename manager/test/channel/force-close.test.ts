/**
 * Force close (BOLT 5 "Failing a Channel"): the monitors learn `channelForceClosed`, the caller gets
 * our latest commitment fully signed, and the channel is done; the signer never signs a revoked
 * commitment for broadcast.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '@vigil/shared/bytes';
import { txid } from '@vigil/shared/bitcoin/tx';
import { buildSideCommitment } from '@vigil/shared/ln/channel-parameters';
import { CommandRefused } from '../../src/channel/index.js';
import { specState } from '../../src/channel/commitment-spec.js';
import { expectBroadcastableCommitment } from './channel-checks.js';
import { ChannelPair, errorText, ONION, payment } from '@vigil/test/fixtures/channel-pair';

describe('force close', () => {
  it('broadcasts our latest commitment, fully signed, and locks the monitor down', () => {
    const pair = ChannelPair.open();
    const { a } = pair;
    pair.addCommitted(a, 20_000_000n, 1);
    expectBroadcastableCommitment(a);
    const outputs = a.take(a.channel.forceClose());
    expect(errorText(outputs)).toMatch(/force-closed by its operator/);
    const broadcast = outputs.find((o) => o.kind === 'broadcast');
    expect(broadcast?.kind === 'broadcast' && toHex(txid(broadcast.tx))).toBe(
      toHex(a.channel.commitments!.localCommit.txid),
    );
    expect(a.watch.updates.at(-1)?.steps).toEqual([{ kind: 'channelForceClosed', shouldBroadcast: true }]);
    expect(a.watch.monitor?.holderCommitmentSigned).toBe(true);
    expect(a.outputs.at(-1)).toEqual({ kind: 'closed', reason: { kind: 'forceClosed' } });
    expect(a.channel.phase).toBe('closed');
  });

  it('reports held HTLCs as failed, then refuses commands and ignores the peer', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    const { paymentHash } = payment(1);
    const htlc = { amountMsat: 5_000_000n, paymentHash, cltvExpiry: 800_000, onionRoutingPacket: ONION };
    a.take(a.channel.addHtlc({ ...htlc, ref: 'sent' }));
    a.take(a.channel.commit());
    a.take(a.channel.addHtlc({ ...htlc, ref: 'held' }));
    expect(a.channel.holdingCell).toHaveLength(1);
    a.take(a.channel.forceClose());
    expect(a.outputs).toContainEqual({
      kind: 'outgoingHtlcFailed',
      ref: 'held',
      htlcId: undefined,
      failure: { kind: 'local', problem: 'the channel closed (forceClosed)' },
    });
    expect(() => a.channel.addHtlc({ ...htlc, ref: 'late' })).toThrow(CommandRefused);
    expect(() => a.channel.forceClose()).toThrow(CommandRefused);
    pair.deliver(a);
    expect(a.channel.handleMessage(b.outbox.find((m) => m.type === 'revoke_and_ack')!)).toEqual([]);
  });
});

describe('the signer', () => {
  it('never signs a revoked commitment for broadcast', () => {
    const pair = ChannelPair.open();
    const { a } = pair;
    pair.addCommitted(a, 20_000_000n, 1);
    const c = a.channel.commitments!;
    const old = buildSideCommitment(
      c.params,
      'holder',
      specState(c.localCommit.spec, 0, a.signer.perCommitmentPoint(0)),
    );
    expect(() => a.signer.signHolderCommitment(c.params, old, 0)).toThrow(/commitment 0 is revoked/);
  });

  it('releases commitment secrets only in order', () => {
    const { a } = ChannelPair.open();
    expect(() => a.signer.releaseCommitmentSecret(1)).toThrow(/before commitment 0/);
  });
});
