/**
 * The checks the property test makes after every step: the commitment each side would broadcast is
 * a valid spend of the funding output (signatures checked with sign.ts, and the whole witness run
 * through bitcore's independent interpreter) and its HTLC transactions valid spends of its outputs
 * (signatures with sign.ts, witness scripts against the outputs' script hashes), and each side's
 * monitor, rebuilt from nothing but the emitted records, holds exactly the channel's view.
 */
import { expect } from 'vitest';
import { equalBytes, toHex } from '@vigil/shared/bytes';
import { p2wshScript } from '@vigil/shared/bitcoin/output-scripts';
import { verifySegwitV0Compact, verifySegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { encodeTx, txid } from '@vigil/shared/bitcoin/tx';
import { checkInputScripts, STANDARD_SCRIPT_FLAGS } from '@vigil/shared/chain/regtest/script-verifier';
import { buildHtlcTxs, buildSideCommitment } from '@vigil/shared/ln/channel-parameters';
import { fundingOutput } from '@vigil/shared/ln/funding';
import { sortedFundingPubkeys } from '@vigil/shared/ln/scripts';
import { specState } from '../../src/channel/commitment-spec.js';
import { signedHolderCommitment } from '../../src/channel/force-close.js';
import type { Peer } from '@vigil/test/fixtures/channel-pair';

/** Commitments already checked, by txid: each is checked once, however many steps it lasts. */
const verified = new Set<string>();

/** Checks `peer`'s current commitment, fully signed, and every HTLC transaction it carries. */
export function expectBroadcastableCommitment(peer: Peer): void {
  const c = peer.channel.commitments!;
  const key = `${peer.name}:${toHex(c.localCommit.txid)}`;
  if (verified.has(key)) return;
  const tx = signedHolderCommitment(c, peer.signer);
  expect(toHex(txid(tx))).toBe(toHex(c.localCommit.txid));
  const { fundingPubkey: ours } = c.params.holderPubkeys;
  const { fundingPubkey: theirs } = c.params.counterpartyPubkeys;
  const [, firstSig, secondSig, witnessScript] = tx.inputs[0]!.witness;
  const funding = fundingOutput(ours, theirs, c.params.fundingValueSat);
  expect(equalBytes(p2wshScript(witnessScript!), funding.scriptPubKey)).toBe(true);
  const spent = { scriptCode: witnessScript!, valueSat: c.params.fundingValueSat };
  const [firstKey, secondKey] = sortedFundingPubkeys(ours, theirs);
  expect(verifySegwitV0Input(tx, 0, spent, firstSig!, firstKey)).toBe(true);
  expect(verifySegwitV0Input(tx, 0, spent, secondSig!, secondKey)).toBe(true);
  // And by an interpreter that shares no code with our signer (bitcore, as vigil-regtest uses).
  expect(checkInputScripts(encodeTx(tx), [funding], STANDARD_SCRIPT_FLAGS)).toBeUndefined();

  const { index, spec } = c.localCommit;
  const built = buildSideCommitment(
    c.params,
    'holder',
    specState(spec, index, peer.signer.perCommitmentPoint(index)),
  );
  const htlcTxs = buildHtlcTxs(built);
  expect(c.localCommit.counterpartyHtlcSignatures).toHaveLength(htlcTxs.length);
  htlcTxs.forEach((info, i) => {
    const input = info.tx.inputs[0]!;
    expect(toHex(input.prevout.txid)).toBe(toHex(c.localCommit.txid));
    expect(equalBytes(p2wshScript(info.witnessScript), tx.outputs[input.prevout.vout]!.scriptPubKey)).toBe(
      true,
    );
    const htlcSpent = {
      scriptCode: info.witnessScript,
      valueSat: built.htlcs[info.htlcIndex]!.amountMsat / 1000n,
    };
    const sig = c.localCommit.counterpartyHtlcSignatures[i]!;
    expect(verifySegwitV0Compact(info.tx, 0, htlcSpent, sig, built.keys.countersignatoryHtlcPubkey)).toBe(
      true,
    );
  });
  verified.add(key);
}

/** `value` as text, bytes as hex and amounts as digits: a fast, exact deep comparison. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? toHex(v) : typeof v === 'bigint' ? v.toString() : v,
  );
}

/** The monitor replayed from `peer`'s records holds the channel's commitments, secrets and preimages. */
export function expectMonitorMatches(peer: Peer): void {
  const monitor = peer.watch.monitor!;
  const c = peer.channel.commitments!;
  expect(monitor.latestUpdateId).toBe(peer.channel.latestUpdateId);
  expect(canonical(monitor.currentHolderCommitment)).toBe(canonical(peer.channel.holderCommitment()));
  expect(canonical(monitor.unrevokedCounterpartyCommitments)).toBe(
    canonical(peer.channel.counterpartyCommitments()),
  );
  expect(monitor.counterpartySecrets.count).toBe(c.remoteCommit.index);
  const lowest = c.counterpartySecrets.minIndex;
  if (lowest !== undefined) {
    expect(toHex(monitor.counterpartySecrets.getSecret(lowest))).toBe(
      toHex(c.counterpartySecrets.getSecret(lowest)),
    );
  }
  // The monitor keeps the preimages its live commitments still need: every one we claimed with.
  const live = new Set(
    [
      ...monitor.currentHolderCommitment.htlcs,
      ...(monitor.previousHolderCommitment?.htlcs ?? []),
      ...monitor.unrevokedCounterpartyCommitments.flatMap((commitment) => commitment.htlcs),
    ].map((htlc) => toHex(htlc.paymentHash)),
  );
  const expected = [...peer.channel.claimedPreimages].filter(([hash]) => live.has(hash)).sort();
  expect(canonical([...monitor.paymentPreimages].sort())).toBe(canonical(expected));
}

/** Value is conserved on every commitment either side holds. */
export function expectValueConserved(peer: Peer): void {
  const c = peer.channel.commitments!;
  const total = c.params.fundingValueSat * 1000n;
  for (const spec of [c.localCommit.spec, c.remoteCommit.spec]) {
    const htlcs = spec.htlcs.reduce((sum, h) => sum + h.add.amountMsat, 0n);
    expect(spec.toBroadcasterMsat + spec.toCountersignatoryMsat + htlcs).toBe(total);
  }
}
