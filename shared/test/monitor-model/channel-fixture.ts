/**
 * A two-party channel for monitor tests: the holder's and the counterparty's real keys, so tests
 * can produce holder commitments signed by the counterparty, counterparty commitments with their
 * true txids, and the counterparty's revocation secrets. Nothing is mocked: the monitor checks
 * these exactly as it checks a manager's.
 */
import { sha256 } from '../../src/bitcoin/hash.js';
import { pubkeyFromPrivkey } from '../../src/bitcoin/secp256k1.js';
import { signSegwitV0Compact } from '../../src/bitcoin/sign.js';
import { txid } from '../../src/bitcoin/tx.js';
import {
  buildHtlcTxs,
  buildSideCommitment,
  type ChannelParameters,
  type ChannelPublicKeys,
} from '../../src/ln/channel-parameters.js';
import { derivePrivkey, perCommitmentPointFromSecret } from '../../src/ln/keys.js';
import { fundingScript } from '../../src/ln/scripts.js';
import { generateFromSeed } from '../../src/ln/shachain.js';
import type {
  CounterpartyCommitment,
  HolderChannelSecrets,
  HolderCommitment,
  MonitorHtlc,
} from '../../src/monitor-model/channel-monitor.js';
import {
  holderCommitmentState,
  counterpartyCommitmentState,
} from '../../src/monitor-model/channel-monitor.js';
import { secretIndexOfCommitment } from '../../src/monitor-model/commitment-checks.js';
import type { ChannelMonitorInit } from '../../src/monitor-model/create-monitor.js';

function secretsFrom(tag: number): HolderChannelSecrets {
  const key = (n: number) => new Uint8Array(32).fill(tag).map((b, i) => (i === 31 ? n : b));
  return {
    fundingKey: key(1),
    revocationBasepointSecret: key(2),
    paymentBasepointSecret: key(3),
    delayedPaymentBasepointSecret: key(4),
    htlcBasepointSecret: key(5),
    commitmentSeed: key(6),
  };
}

function publicKeysOf(s: HolderChannelSecrets): ChannelPublicKeys {
  return {
    fundingPubkey: pubkeyFromPrivkey(s.fundingKey),
    revocationBasepoint: pubkeyFromPrivkey(s.revocationBasepointSecret),
    paymentBasepoint: pubkeyFromPrivkey(s.paymentBasepointSecret),
    delayedPaymentBasepoint: pubkeyFromPrivkey(s.delayedPaymentBasepointSecret),
    htlcBasepoint: pubkeyFromPrivkey(s.htlcBasepointSecret),
  };
}

function perCommitmentSecret(s: HolderChannelSecrets, commitmentNumber: number): Uint8Array {
  return generateFromSeed(s.commitmentSeed, secretIndexOfCommitment(commitmentNumber));
}

/** A preimage and its hash, distinct per `n`. */
export function payment(n: number): { preimage: Uint8Array; paymentHash: Uint8Array } {
  const preimage = new Uint8Array(32).fill(n & 0xff);
  preimage[0] = 0xa0;
  return { preimage, paymentHash: sha256(preimage) };
}

export interface BalanceState {
  feeratePerKw?: number;
  toHolderMsat: bigint;
  toCounterpartyMsat: bigint;
  /** `offered` from the broadcaster's side of the commitment being built. */
  htlcs?: MonitorHtlc[];
}

export class ChannelFixture {
  readonly holder = secretsFrom(0x11);
  readonly counterparty = secretsFrom(0x22);
  readonly channelId = sha256(Uint8Array.of(1, 2, 3));
  readonly parameters: ChannelParameters = {
    fundingOutpoint: { txid: sha256(Uint8Array.of(9)), vout: 1 },
    fundingValueSat: 1_000_000n,
    holderIsFunder: true,
    holderPubkeys: publicKeysOf(this.holder),
    counterpartyPubkeys: publicKeysOf(this.counterparty),
    holderSelectedContestDelay: 144,
    counterpartySelectedContestDelay: 720,
    holderDustLimitSat: 546n,
    counterpartyDustLimitSat: 354n,
  };

  /** A holder commitment signed with the counterparty's real keys. */
  holderCommitment(commitmentNumber: number, state: BalanceState): HolderCommitment {
    const unsigned: HolderCommitment = {
      commitmentNumber,
      feeratePerKw: state.feeratePerKw ?? 1000,
      toHolderMsat: state.toHolderMsat,
      toCounterpartyMsat: state.toCounterpartyMsat,
      htlcs: state.htlcs ?? [],
      counterpartySignature: new Uint8Array(64),
      counterpartyHtlcSignatures: [],
    };
    const point = perCommitmentPointFromSecret(perCommitmentSecret(this.holder, commitmentNumber));
    const built = buildSideCommitment(this.parameters, 'holder', holderCommitmentState(unsigned, point));
    const funding = {
      scriptCode: fundingScript(
        this.parameters.holderPubkeys.fundingPubkey,
        this.parameters.counterpartyPubkeys.fundingPubkey,
      ),
      valueSat: this.parameters.fundingValueSat,
    };
    const htlcKey = derivePrivkey(this.counterparty.htlcBasepointSecret, point);
    return {
      ...unsigned,
      counterpartySignature: signSegwitV0Compact(built.tx, 0, funding, this.counterparty.fundingKey),
      counterpartyHtlcSignatures: buildHtlcTxs(built).map((info) =>
        signSegwitV0Compact(
          info.tx,
          0,
          { scriptCode: info.witnessScript, valueSat: built.htlcs[info.htlcIndex]!.amountMsat / 1000n },
          htlcKey,
        ),
      ),
    };
  }

  /** A counterparty commitment with its true txid. */
  counterpartyCommitment(commitmentNumber: number, state: BalanceState): CounterpartyCommitment {
    const commitment: CounterpartyCommitment = {
      commitmentNumber,
      txid: new Uint8Array(32),
      perCommitmentPoint: perCommitmentPointFromSecret(
        perCommitmentSecret(this.counterparty, commitmentNumber),
      ),
      feeratePerKw: state.feeratePerKw ?? 1000,
      toCounterpartyMsat: state.toCounterpartyMsat,
      toHolderMsat: state.toHolderMsat,
      htlcs: state.htlcs ?? [],
    };
    const built = buildSideCommitment(
      this.parameters,
      'counterparty',
      counterpartyCommitmentState(commitment),
    );
    return { ...commitment, txid: txid(built.tx) };
  }

  /** The counterparty's revocation secret for its commitment `commitmentNumber`. */
  counterpartySecret(commitmentNumber: number): { index: number; secret: Uint8Array } {
    return {
      index: secretIndexOfCommitment(commitmentNumber),
      secret: perCommitmentSecret(this.counterparty, commitmentNumber),
    };
  }

  init(
    balances: BalanceState = { toHolderMsat: 700_000_000n, toCounterpartyMsat: 300_000_000n },
  ): ChannelMonitorInit {
    return {
      channelId: this.channelId,
      counterpartyNodeId: pubkeyFromPrivkey(new Uint8Array(32).fill(0x33)),
      parameters: this.parameters,
      secrets: this.holder,
      destinationScript: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(7)),
      initialHolderCommitment: this.holderCommitment(0, balances),
      initialCounterpartyCommitment: this.counterpartyCommitment(0, balances),
    };
  }
}
