/**
 * Checks that a commitment handed to a monitor is one it can actually use: the holder commitment
 * must carry valid counterparty signatures (else the monitor could not broadcast it), and a
 * counterparty commitment's txid must be the one its data rebuilds to (else the monitor could not
 * recognise it on-chain). Both rebuild through `channel-parameters.ts`, like the channel does.
 */
import { equalBytes, reverseBytes, toHex } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { validatePubkey } from '../bitcoin/secp256k1.js';
import { verifySegwitV0Compact } from '../bitcoin/sign.js';
import { txid } from '../bitcoin/tx.js';
import {
  buildHtlcTxs,
  buildSideCommitment,
  type ChannelParameters,
  type SideCommitment,
} from '../ln/channel-parameters.js';
import { fundingScript } from '../ln/scripts.js';
import { generateFromSeed, MAX_SECRET_INDEX } from '../ln/shachain.js';
import { perCommitmentPointFromSecret } from '../ln/keys.js';
import {
  counterpartyCommitmentState,
  type CounterpartyCommitment,
  type HolderChannelSecrets,
  type HolderCommitment,
  holderCommitmentState,
  type MonitorHtlc,
} from './channel-monitor.js';

/** The shachain index of commitment number `n` (secrets count down from 2^48-1). */
export function secretIndexOfCommitment(commitmentNumber: number): number {
  return MAX_SECRET_INDEX - commitmentNumber;
}

/** The holder's per-commitment point for commitment number `n`. */
export function holderPerCommitmentPoint(
  secrets: HolderChannelSecrets,
  commitmentNumber: number,
): Uint8Array {
  return perCommitmentPointFromSecret(
    generateFromSeed(secrets.commitmentSeed, secretIndexOfCommitment(commitmentNumber)),
  );
}

/**
 * BOLT 2 numbers each side's offers separately (both start at 0), so an id is unique only together
 * with its direction: our HTLC 3 and their HTLC 3 may sit on the same commitment.
 */
function checkHtlcIds(htlcs: readonly MonitorHtlc[], field: string): void {
  const seen = new Set<string>();
  htlcs.forEach((htlc, i) => {
    if (typeof htlc.htlcId !== 'bigint' || htlc.htlcId < 0n) {
      throw new ValidationError(`${field}.htlcs[${i}].htlcId`, 'expected a non-negative bigint');
    }
    const key = `${htlc.offered ? 'offered' : 'received'} ${htlc.htlcId}`;
    if (seen.has(key)) throw new ValidationError(`${field}.htlcs[${i}].htlcId`, `duplicate ${key} HTLC id`);
    seen.add(key);
  });
}

/**
 * Rebuilds the holder commitment and verifies the counterparty's commitment and HTLC signatures.
 * Returns the rebuilt commitment.
 */
export function checkHolderCommitment(
  params: ChannelParameters,
  secrets: HolderChannelSecrets,
  commitment: HolderCommitment,
  field: string,
): SideCommitment {
  checkHtlcIds(commitment.htlcs, field);
  const point = holderPerCommitmentPoint(secrets, commitment.commitmentNumber);
  const built = buildSideCommitment(params, 'holder', holderCommitmentState(commitment, point));
  const funding = {
    scriptCode: fundingScript(params.holderPubkeys.fundingPubkey, params.counterpartyPubkeys.fundingPubkey),
    valueSat: params.fundingValueSat,
  };
  const fundingSigValid = verifySegwitV0Compact(
    built.tx,
    0,
    funding,
    commitment.counterpartySignature,
    params.counterpartyPubkeys.fundingPubkey,
  );
  if (!fundingSigValid) {
    throw new ValidationError(
      `${field}.counterpartySignature`,
      'does not sign the commitment this state rebuilds to',
    );
  }
  const htlcTxs = buildHtlcTxs(built);
  if (commitment.counterpartyHtlcSignatures.length !== htlcTxs.length) {
    throw new ValidationError(
      `${field}.counterpartyHtlcSignatures`,
      `expected ${htlcTxs.length} signatures (one per untrimmed HTLC), got ${commitment.counterpartyHtlcSignatures.length}`,
    );
  }
  htlcTxs.forEach((info, i) => {
    const spent = {
      scriptCode: info.witnessScript,
      valueSat: built.htlcs[info.htlcIndex]!.amountMsat / 1000n,
    };
    const sig = commitment.counterpartyHtlcSignatures[i]!;
    if (!verifySegwitV0Compact(info.tx, 0, spent, sig, built.keys.countersignatoryHtlcPubkey)) {
      throw new ValidationError(
        `${field}.counterpartyHtlcSignatures[${i}]`,
        `does not sign the HTLC transaction of output ${info.outputIndex}`,
      );
    }
  });
  return built;
}

/** Rebuilds a counterparty commitment and checks its claimed txid. */
export function checkCounterpartyCommitment(
  params: ChannelParameters,
  commitment: CounterpartyCommitment,
  field: string,
): SideCommitment {
  checkHtlcIds(commitment.htlcs, field);
  validatePubkey(commitment.perCommitmentPoint, `${field}.perCommitmentPoint`);
  const built = buildSideCommitment(params, 'counterparty', counterpartyCommitmentState(commitment));
  const rebuilt = txid(built.tx);
  if (!equalBytes(rebuilt, commitment.txid)) {
    throw new ValidationError(
      `${field}.txid`,
      `the commitment data rebuilds to txid ${toHex(reverseBytes(rebuilt))}, not the one given`,
    );
  }
  return built;
}
