/**
 * BOLT 3 witness scripts ("Transactions": funding output, to_local, to_remote, offered and received
 * HTLC outputs, and the HTLC-timeout/HTLC-success output), for option_static_remotekey channels
 * without anchors. Every public key argument must be a 33-byte compressed key; the scripts are
 * consensus-critical, so each is built from one template here and nowhere else.
 */
import { compareBytes, expectLength, expectUint, U32_MAX } from '../bytes.js';
import { hash160, ripemd160 } from '../bitcoin/hash.js';
import { OP } from '../bitcoin/opcodes.js';
import { p2wpkhScript } from '../bitcoin/output-scripts.js';
import { compileScript, type ScriptChunk, scriptNumChunk } from '../bitcoin/script.js';

function pubkey(key: Uint8Array, field: string): Uint8Array {
  return expectLength(key, 33, field);
}

/**
 * Funding output: `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, keys in lexicographic order of their
 * compressed encodings (BOLT 3 "Funding Transaction Output").
 */
export function fundingScript(fundingPubkeyA: Uint8Array, fundingPubkeyB: Uint8Array): Uint8Array {
  const [first, second] = sortedFundingPubkeys(fundingPubkeyA, fundingPubkeyB);
  return compileScript([OP['2'], first, second, OP['2'], OP.CHECKMULTISIG]);
}

/** The two funding keys in script order: the witness lists signatures in this same order. */
export function sortedFundingPubkeys(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  pubkey(a, 'fundingPubkeyA');
  pubkey(b, 'fundingPubkeyB');
  return compareBytes(a, b) <= 0 ? [a, b] : [b, a];
}

/**
 * `to_local` output, also the output of HTLC-timeout/HTLC-success transactions: spendable by the
 * revocation key at once, or by the broadcaster's delayed key after `toSelfDelay` blocks (CSV).
 */
export function toLocalScript(
  revocationPubkey: Uint8Array,
  toSelfDelay: number,
  delayedPubkey: Uint8Array,
): Uint8Array {
  return compileScript([
    OP.IF,
    pubkey(revocationPubkey, 'revocationPubkey'),
    OP.ELSE,
    scriptNumChunk(expectUint(toSelfDelay, 0xffff, 'toSelfDelay')),
    OP.CHECKSEQUENCEVERIFY,
    OP.DROP,
    pubkey(delayedPubkey, 'delayedPubkey'),
    OP.ENDIF,
    OP.CHECKSIG,
  ]);
}

/** `to_remote` with option_static_remotekey: P2WPKH to the countersignatory's payment basepoint. */
export function toRemoteScriptPubKey(paymentBasepoint: Uint8Array): Uint8Array {
  return p2wpkhScript(hash160(pubkey(paymentBasepoint, 'paymentBasepoint')));
}

/** The keys an HTLC output script locks to, from the broadcaster's point of view. */
export interface HtlcScriptKeys {
  readonly revocationPubkey: Uint8Array;
  readonly broadcasterHtlcPubkey: Uint8Array;
  readonly countersignatoryHtlcPubkey: Uint8Array;
}

/**
 * The revocation branch both HTLC scripts open with: `OP_DUP OP_HASH160 <h160(revocationpubkey)>
 * OP_EQUAL OP_IF OP_CHECKSIG OP_ELSE <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL`.
 */
function revocationBranchThenPreimageSizeCheck(keys: HtlcScriptKeys): ScriptChunk[] {
  return [
    OP.DUP,
    OP.HASH160,
    hash160(pubkey(keys.revocationPubkey, 'revocationPubkey')),
    OP.EQUAL,
    OP.IF,
    OP.CHECKSIG,
    OP.ELSE,
    pubkey(keys.countersignatoryHtlcPubkey, 'countersignatoryHtlcPubkey'),
    OP.SWAP,
    OP.SIZE,
    scriptNumChunk(32),
    OP.EQUAL,
  ];
}

/** `OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY`: the witness item must be the preimage. */
function preimageCheck(paymentHash: Uint8Array): ScriptChunk[] {
  return [OP.HASH160, ripemd160(expectLength(paymentHash, 32, 'paymentHash')), OP.EQUALVERIFY];
}

/** `2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG`: both HTLC keys sign the second-stage tx. */
function secondStageMultisig(keys: HtlcScriptKeys): ScriptChunk[] {
  return [
    OP['2'],
    OP.SWAP,
    pubkey(keys.broadcasterHtlcPubkey, 'broadcasterHtlcPubkey'),
    OP['2'],
    OP.CHECKMULTISIG,
  ];
}

/**
 * Offered HTLC output (broadcaster offered it): the countersignatory claims with the preimage, the
 * broadcaster times it out through a 2-of-2 signed HTLC-timeout transaction.
 */
export function offeredHtlcScript(keys: HtlcScriptKeys, paymentHash: Uint8Array): Uint8Array {
  return compileScript([
    ...revocationBranchThenPreimageSizeCheck(keys),
    OP.NOTIF,
    OP.DROP,
    ...secondStageMultisig(keys),
    OP.ELSE,
    ...preimageCheck(paymentHash),
    OP.CHECKSIG,
    OP.ENDIF,
    OP.ENDIF,
  ]);
}

/**
 * Received HTLC output (offered to the broadcaster): the broadcaster claims with the preimage
 * through a 2-of-2 signed HTLC-success transaction, the countersignatory after `cltvExpiry` (CLTV).
 */
export function receivedHtlcScript(
  keys: HtlcScriptKeys,
  paymentHash: Uint8Array,
  cltvExpiry: number,
): Uint8Array {
  return compileScript([
    ...revocationBranchThenPreimageSizeCheck(keys),
    OP.IF,
    ...preimageCheck(paymentHash),
    ...secondStageMultisig(keys),
    OP.ELSE,
    OP.DROP,
    scriptNumChunk(expectUint(cltvExpiry, U32_MAX, 'cltvExpiry')),
    OP.CHECKLOCKTIMEVERIFY,
    OP.DROP,
    OP.CHECKSIG,
    OP.ENDIF,
    OP.ENDIF,
  ]);
}
