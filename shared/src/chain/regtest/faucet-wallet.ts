/**
 * The node's own wallet, which funds test wallets: one P2WPKH key that start-up mining pays, and
 * payments from its coins built and signed with Vigil's signer (sign.ts) like any wallet's. Each
 * payment is an ordinary transaction that then goes through mempool acceptance.
 *
 * Coin selection keeps unconfirmed chains short, since a mempool chain stops at 25 transactions:
 * the smallest confirmed coin that covers the payment alone, else confirmed coins largest first,
 * and only then unconfirmed change. At start-up one coinbase is split into many confirmed coins.
 */
import { hash160, sha256 } from '../../bitcoin/hash.js';
import { p2pkhScript, p2wpkhScript } from '../../bitcoin/output-scripts.js';
import { pubkeyFromPrivkey } from '../../bitcoin/secp256k1.js';
import { signSegwitV0Input } from '../../bitcoin/sign.js';
import type { OutPoint, Transaction, TxIn, TxOut } from '../../bitcoin/tx.js';
import { VigilError } from '../../errors.js';
import { feeForVsize } from './money.js';
import { dustThresholdSat } from './policy.js';

/** The faucet key unless one is configured: a fixed key keeps regtest chains reproducible. */
const DEFAULT_FAUCET_PRIVKEY = sha256(new TextEncoder().encode('vigil-regtest faucet'));
/** BIP 125 signalling sequence, as bitcoind's wallet uses by default. */
const RBF_SEQUENCE = 0xffff_fffd;
/** Virtual size of the parts of a P2WPKH payment: overhead, each input (worst-case 72-byte signature), each P2WPKH-or-smaller output. */
const TX_OVERHEAD_WEIGHT = (4 + 1 + 1 + 4) * 4 + 2;
const P2WPKH_INPUT_WEIGHT = (32 + 4 + 1 + 4) * 4 + (1 + 1 + 72 + 1 + 33);

export class InsufficientFundsError extends VigilError {}

/** A coin the faucet may spend. */
export interface FaucetCoin {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  /** False for change still in the mempool. */
  readonly confirmed: boolean;
}

export class FaucetWallet {
  readonly scriptPubKey: Uint8Array;
  private readonly pubkey: Uint8Array;

  constructor(private readonly privkey: Uint8Array = DEFAULT_FAUCET_PRIVKEY) {
    this.pubkey = pubkeyFromPrivkey(privkey, 'faucetPrivkey');
    this.scriptPubKey = p2wpkhScript(hash160(this.pubkey));
  }

  /**
   * A signed payment of `amountSat` to `destination` from `coins` (selected as the file comment
   * says) at `feeRate` sat/kvB; change above dust returns to the faucet.
   */
  pay(
    coins: readonly FaucetCoin[],
    destination: Uint8Array,
    amountSat: bigint,
    feeRate: bigint,
  ): Transaction {
    const singleFee = this.feeFor(1, [destination, this.scriptPubKey], feeRate);
    const single = coins
      .filter((c) => c.confirmed && c.valueSat >= amountSat + singleFee)
      .reduce<FaucetCoin | undefined>(
        (best, c) => (best === undefined || c.valueSat < best.valueSat ? c : best),
        undefined,
      );
    const ordered = single !== undefined ? [single] : [...coins].sort(preferConfirmedThenLargest);
    const chosen: FaucetCoin[] = [];
    let total = 0n;
    for (const coin of ordered) {
      chosen.push(coin);
      total += coin.valueSat;
      const fee = this.feeFor(chosen.length, [destination, this.scriptPubKey], feeRate);
      if (total >= amountSat + fee) {
        return this.sign(
          chosen,
          [{ valueSat: amountSat, scriptPubKey: destination }],
          total - amountSat - fee,
        );
      }
    }
    throw new InsufficientFundsError('amount', 'Insufficient funds');
  }

  /** `coin` split into `parts` equal outputs back to the faucet, at `feeRate` sat/kvB. */
  split(coin: FaucetCoin, parts: number, feeRate: bigint): Transaction {
    const fee = this.feeFor(1, Array<Uint8Array>(parts).fill(this.scriptPubKey), feeRate);
    const part = (coin.valueSat - fee) / BigInt(parts);
    const outputs = Array.from({ length: parts }, () => ({
      valueSat: part,
      scriptPubKey: this.scriptPubKey,
    }));
    return this.sign([coin], outputs, 0n);
  }

  /** Fee for `inputs` P2WPKH inputs paying to `outputScripts`. */
  private feeFor(inputs: number, outputScripts: readonly Uint8Array[], feeRate: bigint): bigint {
    const outputsWeight = outputScripts.reduce((w, script) => w + (8 + 1 + script.length) * 4, 0);
    const weight = TX_OVERHEAD_WEIGHT + inputs * P2WPKH_INPUT_WEIGHT + outputsWeight;
    return feeForVsize(feeRate, Math.ceil(weight / 4));
  }

  /** Signs a transaction spending `coins` to `outputs`, plus change when it is above dust. */
  private sign(coins: readonly FaucetCoin[], outputs: readonly TxOut[], changeSat: bigint): Transaction {
    const change = { valueSat: changeSat, scriptPubKey: this.scriptPubKey };
    // Change too small to be worth an output goes to the fee, as wallets do.
    const withChange = changeSat >= dustThresholdSat(change) ? [...outputs, change] : outputs;
    const unsigned: Transaction = {
      version: 2,
      inputs: coins.map((coin): TxIn => ({
        prevout: coin.outpoint,
        scriptSig: new Uint8Array(0),
        sequence: RBF_SEQUENCE,
        witness: [],
      })),
      outputs: withChange,
      locktime: 0,
    };
    const scriptCode = p2pkhScript(hash160(this.pubkey));
    return {
      ...unsigned,
      inputs: unsigned.inputs.map((input, i) => ({
        ...input,
        witness: [
          signSegwitV0Input(unsigned, i, { scriptCode, valueSat: coins[i]!.valueSat }, this.privkey),
          this.pubkey,
        ],
      })),
    };
  }
}

/** Confirmed coins before unconfirmed change, larger before smaller. */
function preferConfirmedThenLargest(a: FaucetCoin, b: FaucetCoin): number {
  if (a.confirmed !== b.confirmed) return a.confirmed ? -1 : 1;
  return a.valueSat > b.valueSat ? -1 : a.valueSat < b.valueSat ? 1 : 0;
}
