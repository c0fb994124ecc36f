/**
 * BOLT 2 "Channel Establishment v1" from both sides: the flow to `channel_ready`, the monitor
 * created at `funding_signed`, and each receiving requirement of `open_channel`, `accept_channel`,
 * `funding_created` and `funding_signed`.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '@vigil/shared/bytes';
import { txid } from '@vigil/shared/bitcoin/tx';
import type { AcceptChannel, OpenChannel } from '@vigil/shared/ln/wire/index';
import { Channel, CommandRefused } from '../../src/channel/index.js';
import { checkAcceptChannel } from '../../src/channel/channel-opening.js';
import {
  CONFIG,
  ChannelPair,
  errorText,
  expectFailed,
  fundingTransaction,
  openParams,
  Peer,
} from '@vigil/test/fixtures/channel-pair';

/** The opener's real `open_channel`, to alter one field at a time. */
function realOpen(): OpenChannel {
  const peer = new Peer('A', 0x11);
  const opened = Channel.open(peer.deps, openParams());
  const sent = opened.outputs.find((o) => o.kind === 'send');
  return (sent as { message: OpenChannel }).message;
}

/** B answers `open`; returns B and its outputs. */
function acceptOpen(open: OpenChannel) {
  const b = new Peer('B', 0x22);
  const accepted = Channel.accept(b.deps, open);
  b.channel = accepted.channel;
  return { b, outputs: accepted.outputs };
}

/** A opened and B accepted; returns both and B's `accept_channel`. */
function openedAndAccepted() {
  const a = new Peer('A', 0x11);
  const opened = Channel.open(a.deps, openParams());
  a.channel = opened.channel;
  a.take(opened.outputs);
  const { b, outputs } = acceptOpen(a.outbox.shift() as OpenChannel);
  b.take(outputs);
  return { a, b, accept: b.outbox.shift() as AcceptChannel };
}

describe('channel establishment', () => {
  it('opens a channel: funding script, channel_id, both monitors created at funding_signed', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    const required = a.outputs.find((o) => o.kind === 'fundingRequired');
    const funding = required?.kind === 'fundingRequired' ? required : undefined;
    expect(funding?.valueSat).toBe(1_000_000n);
    const fundingTx = fundingTransaction(funding!.scriptPubKey, funding!.valueSat);
    // BOLT 2: the funding txid with its last two bytes XORed with the output index (1).
    const expectedId = txid(fundingTx);
    expectedId[31] = expectedId[31]! ^ 1;
    expect(toHex(a.channel.channelId)).toBe(toHex(expectedId));
    expect(toHex(b.channel.channelId)).toBe(toHex(expectedId));
    expect(a.outputs.some((o) => o.kind === 'broadcast' && o.purpose === 'funding')).toBe(true);
    for (const peer of [a, b]) {
      expect(peer.watch.init?.channelId).toEqual(expectedId);
      expect(peer.watch.monitor?.currentHolderCommitment.commitmentNumber).toBe(0);
      expect(peer.outputs.filter((o) => o.kind === 'channelReady')).toHaveLength(1);
    }
    // The push went to B; A pays the commitment fee.
    expect(b.channel.commitments!.localCommit.spec.toBroadcasterMsat).toBe(400_000_000n);
    pair.expectAgreement();
  });

  it('refuses to open with terms the peer would have to reject', () => {
    const a = new Peer('A', 0x11);
    expect(() => Channel.open(a.deps, { ...openParams(), pushMsat: 1_000_000_001n })).toThrow(CommandRefused);
    expect(() => Channel.open(a.deps, { ...openParams(), fundingSat: 1n << 24n })).toThrow(/2\^24/);
    expect(() => Channel.open(a.deps, { ...openParams(), feeratePerKw: 252 })).toThrow(/at least 253/);
  });

  it('rejects a funding transaction that does not pay the funding output', () => {
    const { a, b, accept } = openedAndAccepted();
    a.take(a.channel.handleMessage(accept));
    const required = a.outputs.find((o) => o.kind === 'fundingRequired');
    if (required?.kind !== 'fundingRequired') throw new Error('no fundingRequired');
    const short = fundingTransaction(required.scriptPubKey, required.valueSat - 1n);
    expect(() => a.channel.fundingTransactionCreated(short, 1)).toThrow(/must pay 1000000 sat/);
    expect(b.channel.phase).toBe('awaitingFundingCreated');
  });
});

describe('open_channel receiving requirements', () => {
  const cases: [string, (open: OpenChannel) => OpenChannel, RegExp][] = [
    [
      'unknown chain_hash',
      (o) => ({ ...o, chainHash: new Uint8Array(32) }),
      /chain_hash: is not this node's chain/,
    ],
    [
      'funding_satoshis of 2^24 or more',
      (o) => ({ ...o, fundingSatoshis: 1n << 24n }),
      /funding_satoshis: .*large_channel/,
    ],
    [
      'funding_satoshis too small',
      (o) => ({ ...o, fundingSatoshis: 999n, pushMsat: 0n }),
      /funding_satoshis: 999 is below/,
    ],
    [
      'push_msat above the funding',
      (o) => ({ ...o, pushMsat: 1_000_000_001n }),
      /push_msat: .*greater than funding/,
    ],
    [
      'to_self_delay unreasonably large',
      (o) => ({ ...o, toSelfDelay: 2017 }),
      /to_self_delay: 2017 is unreasonably large/,
    ],
    [
      'max_accepted_htlcs above 483',
      (o) => ({ ...o, maxAcceptedHtlcs: 484 }),
      /max_accepted_htlcs: 484 is greater than 483/,
    ],
    ['feerate_per_kw too low', (o) => ({ ...o, feeratePerKw: 252 }), /feerate_per_kw: 252 is outside/],
    [
      'feerate_per_kw unreasonably large',
      (o) => ({ ...o, feeratePerKw: 50_001 }),
      /feerate_per_kw: 50001 is outside/,
    ],
    [
      'dust_limit_satoshis below 354',
      (o) => ({ ...o, dustLimitSatoshis: 353n }),
      /dust_limit_satoshis: 353 is below 354/,
    ],
    [
      'dust_limit_satoshis above our maximum',
      (o) => ({ ...o, dustLimitSatoshis: 547n }),
      /dust_limit_satoshis: 547 is above/,
    ],
    [
      'dust_limit_satoshis above channel_reserve_satoshis',
      (o) => ({ ...o, dustLimitSatoshis: 546n, channelReserveSatoshis: 545n }),
      /dust_limit_satoshis: 546 is greater than channel_reserve_satoshis/,
    ],
    [
      'channel_reserve_satoshis below our dust limit',
      (o) => ({ ...o, dustLimitSatoshis: 400n, channelReserveSatoshis: 500n }),
      /channel_reserve_satoshis: 500 is below our dust limit 546/,
    ],
    [
      'a funder that cannot pay the first commitment fee',
      (o) => ({ ...o, pushMsat: o.fundingSatoshis * 1000n - 100_000n }),
      /push_msat: leaves the funder .* less than the initial commitment fee/,
    ],
    [
      'both initial balances at or below the reserve',
      (o) => ({ ...o, fundingSatoshis: 20_000n, pushMsat: 10_000_000n, channelReserveSatoshis: 10_000n }),
      /channel_reserve_satoshis: both initial balances/,
    ],
    [
      'a missing channel_type',
      (o) => ({ ...o, tlvs: { ...o.tlvs, channelType: undefined } }),
      /channel_type: must be option_static_remotekey/,
    ],
    [
      'a channel_type other than static_remotekey',
      (o) => ({ ...o, tlvs: { ...o.tlvs, channelType: { type: Uint8Array.of(0x50, 0x00) } } }),
      /channel_type: must be option_static_remotekey/,
    ],
    [
      'an upfront_shutdown_script of no standard form',
      (o) => ({
        ...o,
        tlvs: { ...o.tlvs, upfrontShutdownScript: { shutdownScriptpubkey: Uint8Array.of(0x6a) } },
      }),
      /upfront_shutdown_script: is not P2PKH/,
    ],
    [
      'a funding_pubkey that is not a point',
      (o) => ({ ...o, fundingPubkey: new Uint8Array(33).fill(4) }),
      /open_channel.funding_pubkey: expected a compressed public key/,
    ],
  ];

  it.each(cases)('fails the channel on %s', (_name, alter, rule) => {
    const { b, outputs } = acceptOpen(alter(realOpen()));
    expectFailed(b, outputs, rule);
    expect(outputs.some((o) => o.kind === 'send' && o.message.type === 'accept_channel')).toBe(false);
  });

  it('accepts the unaltered message', () => {
    const { b, outputs } = acceptOpen(realOpen());
    expect(errorText(outputs)).toBeUndefined();
    expect(b.channel.phase).toBe('awaitingFundingCreated');
  });
});

describe('accept_channel receiving requirements', () => {
  const cases: [string, (accept: AcceptChannel) => AcceptChannel, RegExp][] = [
    ['minimum_depth of 0', (m) => ({ ...m, minimumDepth: 0 }), /minimum_depth: 0 is unreasonable/],
    [
      'minimum_depth unreasonably large',
      (m) => ({ ...m, minimumDepth: 145 }),
      /minimum_depth: 145 is unreasonable/,
    ],
    [
      'channel_reserve_satoshis below our dust limit',
      (m) => ({ ...m, dustLimitSatoshis: 400n, channelReserveSatoshis: 545n }),
      /channel_reserve_satoshis: 545 is below our dust limit 546/,
    ],
    [
      'to_self_delay unreasonably large',
      (m) => ({ ...m, toSelfDelay: 5000 }),
      /accept_channel.to_self_delay/,
    ],
    [
      'max_accepted_htlcs above 483',
      (m) => ({ ...m, maxAcceptedHtlcs: 500 }),
      /accept_channel.max_accepted_htlcs/,
    ],
    [
      'dust_limit_satoshis below 354',
      (m) => ({ ...m, dustLimitSatoshis: 300n }),
      /accept_channel.dust_limit_satoshis: 300/,
    ],
    ['a missing channel_type', (m) => ({ ...m, tlvs: {} }), /accept_channel.channel_type/],
  ];

  it.each(cases)('fails the channel on %s', (_name, alter, rule) => {
    const { a, accept } = openedAndAccepted();
    const outputs = a.channel.handleMessage(alter(accept));
    expectFailed(a, outputs, rule);
    expect(outputs.some((o) => o.kind === 'fundingRequired')).toBe(false);
  });

  it('refuses an accept_channel whose dust limit is above our reserve', () => {
    // Our own open_channel never asks for a reserve below a dust limit we accept, so the rule is
    // checked on an open_channel another implementation could have sent.
    const { accept } = openedAndAccepted();
    const open = { ...realOpen(), channelReserveSatoshis: 400n };
    expect(() => checkAcceptChannel({ ...accept, dustLimitSatoshis: 546n }, open, CONFIG)).toThrow(
      /accept_channel.dust_limit_satoshis: 546 is above our channel reserve 400/,
    );
  });
});

describe('funding signatures', () => {
  it('fails on a funding_created signature that does not sign our first commitment', () => {
    const { a, b, accept } = openedAndAccepted();
    a.take(a.channel.handleMessage(accept));
    const required = a.outputs.find((o) => o.kind === 'fundingRequired');
    if (required?.kind !== 'fundingRequired') throw new Error('no fundingRequired');
    a.take(
      a.channel.fundingTransactionCreated(fundingTransaction(required.scriptPubKey, required.valueSat), 1),
    );
    const created = a.outbox.shift()!;
    if (created.type !== 'funding_created') throw new Error(created.type);
    const outputs = b.channel.handleMessage({ ...created, signature: new Uint8Array(64).fill(1) });
    expectFailed(b, outputs, /funding_created.signature: is not a valid/);
    expect(b.watch.init).toBeUndefined();
  });

  it('fails on a funding_signed signature, before anything is watched or broadcast', () => {
    const { a, b, accept } = openedAndAccepted();
    a.take(a.channel.handleMessage(accept));
    const required = a.outputs.find((o) => o.kind === 'fundingRequired');
    if (required?.kind !== 'fundingRequired') throw new Error('no fundingRequired');
    a.take(
      a.channel.fundingTransactionCreated(fundingTransaction(required.scriptPubKey, required.valueSat), 1),
    );
    b.take(b.channel.handleMessage(a.outbox.shift()!));
    const signed = b.outbox.find((m) => m.type === 'funding_signed')!;
    if (signed.type !== 'funding_signed') throw new Error(signed.type);
    const outputs = a.channel.handleMessage({ ...signed, signature: new Uint8Array(64).fill(1) });
    expectFailed(a, outputs, /funding_signed.signature: is not a valid/);
    expect(a.watch.init).toBeUndefined();
    expect(outputs.some((o) => o.kind === 'broadcast')).toBe(false);
  });
});
