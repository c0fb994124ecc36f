/**
 * The manager's on-chain wallet: P2WPKH (BIP 84) keys from a seed, UTXOs tracked through the
 * BlockFollower (a `BlockListener`, so each block's effects commit with the follower's position
 * and a reorg undoes exactly them), coin selection, fee estimation from the ChainSource, and
 * signed funding transactions. Outputs a monitor sweeps to the wallet's destination script are
 * picked up by the same block scan.
 *
 * Invariant: an output is spent by at most one transaction this wallet signed; inputs are
 * reserved in the database before the signed transaction is returned.
 */
import { ValidationError } from '@vigil/shared/errors';
import type { Block } from '@vigil/shared/bitcoin/block';
import { addressToScript, scriptToAddress } from '@vigil/shared/bitcoin/address';
import { hash160 } from '@vigil/shared/bitcoin/hash';
import type { Network } from '@vigil/shared/bitcoin/network';
import { p2pkhScript } from '@vigil/shared/bitcoin/output-scripts';
import { signSegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { txid, type Transaction, type TxOut, withInputWitness } from '@vigil/shared/bitcoin/tx';
import type { BlockRef, ChainSource } from '@vigil/shared/chain/chain-source';
import type { BlockListener, FollowerTx } from '@vigil/shared/chain/block-follower';
import type { Database } from '@vigil/shared/db/database';
import { selectCoins } from './coin-selection.js';
import { CHANGE, type KeyChain, Keychain, RECEIVE } from './keychain.js';
import * as store from './wallet-store.js';

/** Confirmations a received output needs before the wallet spends it. */
const MIN_CONFIRMATIONS = 1;
/** Confirmation target for the wallet's own transactions (funding). */
const FUNDING_CONFIRMATION_TARGET = 6;

export interface WalletOptions {
  readonly sql: Database;
  readonly seed: Uint8Array;
  readonly network: Network;
  readonly chain: ChainSource;
}

export interface SignedSpend {
  readonly tx: Transaction;
  /** Index in `tx.outputs` of the output that was asked for (the first target). */
  readonly outputIndex: number;
  readonly feeSat: bigint;
}

export class Wallet implements BlockListener {
  private constructor(
    private readonly options: WalletOptions,
    private readonly keychain: Keychain,
  ) {}

  /** Opens the wallet over an already migrated database. */
  static async open(options: WalletOptions): Promise<Wallet> {
    const keychain = new Keychain(options.seed, options.network);
    for (const chain of [RECEIVE, CHANGE])
      keychain.watchUpTo(chain, await store.nextKeyIndex(options.sql, chain));
    return new Wallet(options, keychain);
  }

  /** A fresh receive (or change) address; never handed out twice, also across restarts. */
  async newAddress(chain: KeyChain = RECEIVE): Promise<{ address: string; scriptPubKey: Uint8Array }> {
    const index = await store.takeKeyIndex(this.options.sql, chain);
    this.keychain.watchUpTo(chain, index + 1);
    const { scriptPubKey } = this.keychain.key(chain, index);
    return { address: scriptToAddress(scriptPubKey, this.options.network), scriptPubKey };
  }

  /** Spendable balance at `tipHeight`: confirmed, unspent, unreserved (coinbase once mature). */
  async balanceSat(tipHeight: number): Promise<bigint> {
    const utxos = await store.spendableUtxos(this.options.sql, tipHeight, MIN_CONFIRMATIONS);
    return utxos.reduce((sum, u) => sum + u.valueSat, 0n);
  }

  async blockConnected(block: Block, ref: BlockRef, tx: FollowerTx): Promise<void> {
    const received: store.StoredUtxo[] = [];
    const spends: { outpoint: { txid: Uint8Array; vout: number }; spentBy: Uint8Array }[] = [];
    const used: [number, number] = [-1, -1];
    block.transactions.forEach((transaction, position) => {
      const id = txid(transaction);
      if (position > 0)
        for (const input of transaction.inputs) spends.push({ outpoint: input.prevout, spentBy: id });
      transaction.outputs.forEach((output, vout) => {
        const key = this.keychain.lookup(output.scriptPubKey);
        if (key === undefined) return;
        used[key.chain] = Math.max(used[key.chain]!, key.index);
        received.push({
          outpoint: { txid: id, vout },
          valueSat: output.valueSat,
          scriptPubKey: output.scriptPubKey,
          keyChain: key.chain,
          keyIndex: key.index,
          coinbase: position === 0,
          confirmedHeight: ref.height,
        });
      });
    });
    // Outputs first: a later transaction of the same block may spend one of them.
    await store.insertUtxos(tx, received);
    await store.markSpent(tx, spends, ref.height);
    for (const chain of [RECEIVE, CHANGE]) {
      if (used[chain]! < 0) continue;
      await store.advanceKeyIndex(tx, chain, used[chain]! + 1);
      this.keychain.watchUpTo(chain, used[chain]! + 1);
    }
  }

  async blockDisconnected(ref: BlockRef, tx: FollowerTx): Promise<void> {
    await store.undoBlock(tx, ref.height);
  }

  /**
   * A signed transaction paying `valueSat` to `scriptPubKey` (e.g. a channel's P2WSH funding
   * output) at the chain's fee estimate, its inputs reserved. It is not broadcast: the caller
   * decides when (a channel waits until its first monitor is durable).
   */
  async fund(
    scriptPubKey: Uint8Array,
    valueSat: bigint,
    tipHeight: number,
    feeratePerKw?: number,
  ): Promise<SignedSpend> {
    if (valueSat <= 0n) throw new ValidationError('valueSat', `expected a positive amount, got ${valueSat}`);
    const feerate =
      feeratePerKw ?? (await this.options.chain.estimateFeeratePerKw(FUNDING_CONFIRMATION_TARGET));
    return this.spend([{ valueSat, scriptPubKey }], feerate, tipHeight);
  }

  /** Pays `address` (any standard address of the wallet's network), for tests and operators. */
  async send(
    address: string,
    valueSat: bigint,
    tipHeight: number,
    feeratePerKw: number,
  ): Promise<SignedSpend> {
    return this.spend(
      [{ valueSat, scriptPubKey: addressToScript(address, this.options.network) }],
      feeratePerKw,
      tipHeight,
    );
  }

  /** Gives back the inputs reserved for `spend` (it will never be broadcast). */
  async abandon(spend: SignedSpend): Promise<void> {
    await store.release(this.options.sql, txid(spend.tx));
  }

  private async spend(
    targets: readonly TxOut[],
    feeratePerKw: number,
    tipHeight: number,
  ): Promise<SignedSpend> {
    const utxos = await store.spendableUtxos(this.options.sql, tipHeight, MIN_CONFIRMATIONS);
    const change = await this.newAddress(CHANGE);
    const selection = selectCoins(utxos, targets, feeratePerKw, change.scriptPubKey);
    let tx: Transaction = {
      version: 2,
      inputs: selection.coins.map((c) => ({
        prevout: c.outpoint,
        scriptSig: new Uint8Array(0),
        sequence: 0xffff_fffd,
        witness: [],
      })),
      outputs: selection.outputs,
      // Anti fee-sniping, as bitcoind's wallet does: only valid from the next block.
      locktime: tipHeight,
    };
    selection.coins.forEach((coin, i) => {
      const key = this.keychain.key(coin.keyChain, coin.keyIndex);
      const spent = { scriptCode: p2pkhScript(hash160(key.pubkey)), valueSat: coin.valueSat };
      const signature = signSegwitV0Input(
        tx,
        i,
        spent,
        this.keychain.privateKey(coin.keyChain, coin.keyIndex),
      );
      tx = withInputWitness(tx, i, [signature, key.pubkey]);
    });
    if (
      !(await store.reserve(
        this.options.sql,
        selection.coins.map((c) => c.outpoint),
        txid(tx),
      ))
    ) {
      throw new ValidationError('wallet', 'a selected output was spent or reserved concurrently; try again');
    }
    return { tx, outputIndex: 0, feeSat: selection.feeSat };
  }
}
