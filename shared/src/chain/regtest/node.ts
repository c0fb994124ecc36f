/**
 * vigil-regtest's node: a Bitcoin regtest chain kept in memory, with a mempool, a miner and a
 * faucet, offering what bitcoind's RPCs do (rpc-*.ts map them). It composes the chain state
 * (validation, reorgs), mempool acceptance (policy, BIP 125), the block assembler and the faucet
 * wallet, and keeps the mempool consistent with the chain: transactions confirmed by a block leave
 * the pool with their conflicts, and after a reorg every transaction from the disconnected blocks
 * and the pool is re-validated on the new tip (bitcoind's MaybeUpdateMempoolForReorg).
 *
 * Every method runs synchronously to completion, so RPC requests never interleave.
 */
import type { Block } from '../../bitcoin/block.js';
import type { OutPoint, Transaction } from '../../bitcoin/tx.js';
import { expectBigUint, expectUint, fromHex, toHex } from '../../bytes.js';
import { ValidationError } from '../../errors.js';
import { assembleBlock, DEFAULT_MAX_TRIES, mineBlock, selectTransactions } from './block-assembler.js';
import type { BlockIndexEntry } from './block-index.js';
import { ChainState, type ChainChange } from './chain-state.js';
import { NodeClock } from './clock.js';
import type { Coin } from './coins.js';
import { FaucetWallet, type FaucetCoin } from './faucet-wallet.js';
import { estimateFeeRate, FEE_ESTIMATE_BLOCKS } from './fee-estimator.js';
import { acceptToMemoryPool, type AcceptOptions, type MempoolPolicy } from './mempool-accept.js';
import { Mempool, type MempoolEntry } from './mempool.js';
import { feeForVsize, feeRateOf, MAX_MONEY } from './money.js';
import { isUnspendable } from './output-type.js';
import { COINBASE_MATURITY, GENESIS_BLOCK } from './params.js';
import { DUST_RELAY_FEE_RATE } from './policy.js';
import { flipHashHex, keyOfOutpoint, outpointKey, prepareTx, type PreparedTx } from './prepared-tx.js';
import { BlockRejection, TxRejection } from './rejections.js';

/** Enough blocks that the first coinbase (block 1) is mature: the faucet can pay at once. */
export const DEFAULT_INITIAL_BLOCKS = 101;
/** bitcoind's DEFAULT_MIN_RELAY_TX_FEE and DEFAULT_INCREMENTAL_RELAY_FEE, sat/kvB. */
export const DEFAULT_MIN_RELAY_FEE_RATE = 1000n;
export const DEFAULT_INCREMENTAL_RELAY_FEE_RATE = 1000n;
/** How many confirmed coins the faucet starts with (one coinbase split). */
const FAUCET_SPLIT = 50;
/** sendrawtransaction's default maxfeerate: 0.10 BTC/kvB. */
export const DEFAULT_MAX_RAW_TX_FEE_RATE = 10_000_000n;

export interface RegtestNodeOptions {
  /** Blocks mined to the faucet at start-up (default 101). */
  readonly initialBlocks?: number;
  /** `-minrelaytxfee`, sat/kvB (default 1000). */
  readonly minRelayFeeRate?: bigint;
  /** `-incrementalrelayfee`, sat/kvB (default 1000): what a replacement must add per vbyte. */
  readonly incrementalRelayFeeRate?: bigint;
  /** The mempool's dynamic minimum at start, sat/kvB (default 0: only the relay minimum applies). */
  readonly mempoolMinFeeRate?: bigint;
  /** The lowest feerate estimatesmartfee returns, sat/kvB (default: the relay minimum). */
  readonly feeEstimateFloor?: bigint;
  /** Replace any conflicting transaction (bitcoind 28's `-mempoolfullrbf`); default false: BIP 125 signalling. */
  readonly fullRbf?: boolean;
  /** Start with the clock mocked at this Unix time (seconds). */
  readonly mockTime?: number;
  /** The faucet's private key (32 bytes); a fixed default keeps chains reproducible. */
  readonly faucetPrivkey?: Uint8Array;
}

/** Limits sendrawtransaction applies on top of mempool acceptance, sat/kvB and sat; 0 fee rate disables. */
export interface BroadcastLimits {
  readonly maxFeeRate: bigint;
  readonly maxBurnSat: bigint;
}

/** A transaction found by txid: in the mempool, or in a block (`index` is its position). */
export type FoundTransaction =
  | { readonly p: PreparedTx; readonly mempool: MempoolEntry }
  | { readonly p: PreparedTx; readonly block: BlockIndexEntry; readonly index: number };

export interface FoundTxOut {
  readonly coin: Coin;
  /** 0 for an output of a mempool transaction. */
  readonly confirmations: number;
}

/** One testmempoolaccept result. `unfinished`: not validated because an earlier transaction failed. */
export type TestAcceptResult = { readonly p: PreparedTx } & (
  | { readonly outcome: 'accepted'; readonly feeSat: bigint }
  | { readonly outcome: 'rejected'; readonly rejection: TxRejection }
  | { readonly outcome: 'unfinished' }
);

/** What submitblock reports: undefined when the block became part of the active chain. */
export type SubmitBlockResult = undefined | 'duplicate' | 'duplicate-invalid' | 'inconclusive' | string;

export class RegtestNode {
  readonly chain: ChainState;
  readonly mempool = new Mempool();
  readonly clock: NodeClock;
  readonly faucetWallet: FaucetWallet;
  private readonly scriptCache = new Set<string>();
  private readonly feeEstimateFloor: bigint;
  private mempoolPolicy: MempoolPolicy;

  constructor(options: RegtestNodeOptions = {}) {
    this.clock = new NodeClock(options.mockTime);
    this.chain = new ChainState(GENESIS_BLOCK, this.scriptCache);
    this.faucetWallet = new FaucetWallet(options.faucetPrivkey);
    const minRelayFeeRate = feeRateOption(
      options.minRelayFeeRate,
      DEFAULT_MIN_RELAY_FEE_RATE,
      'minRelayFeeRate',
    );
    this.mempoolPolicy = {
      minRelayFeeRate,
      incrementalRelayFeeRate: feeRateOption(
        options.incrementalRelayFeeRate,
        DEFAULT_INCREMENTAL_RELAY_FEE_RATE,
        'incrementalRelayFeeRate',
      ),
      dustRelayFeeRate: DUST_RELAY_FEE_RATE,
      mempoolMinFeeRate: feeRateOption(options.mempoolMinFeeRate, 0n, 'mempoolMinFeeRate'),
      fullRbf: options.fullRbf ?? false,
    };
    this.feeEstimateFloor = feeRateOption(options.feeEstimateFloor, minRelayFeeRate, 'feeEstimateFloor');
    this.mineInitialBlocks(
      expectUint(options.initialBlocks ?? DEFAULT_INITIAL_BLOCKS, 100_000, 'initialBlocks'),
    );
  }

  get tip(): BlockIndexEntry {
    return this.chain.tip;
  }

  get policy(): MempoolPolicy {
    return this.mempoolPolicy;
  }

  /**
   * The mempool's dynamic minimum, sat/kvB (bitcoind raises it when full; here an RPC does). As
   * when bitcoind's TrimToSize raises it, entries paying less leave the pool, with their
   * descendants.
   */
  setMempoolMinFeeRate(satPerKvb: bigint): void {
    this.mempoolPolicy = {
      ...this.mempoolPolicy,
      mempoolMinFeeRate: feeRateOption(satPerKvb, 0n, 'mempoolMinFeeRate'),
    };
    for (const entry of this.mempool.entries()) {
      if ((entry.feeSat * 1000n) / BigInt(entry.p.vsize) < satPerKvb)
        this.mempool.remove(this.mempool.withDescendants(entry));
    }
  }

  /** The floor getmempoolinfo reports as `mempoolminfee`: the dynamic minimum or the relay minimum. */
  get effectiveMempoolMinFeeRate(): bigint {
    const { mempoolMinFeeRate, minRelayFeeRate } = this.mempoolPolicy;
    return mempoolMinFeeRate > minRelayFeeRate ? mempoolMinFeeRate : minRelayFeeRate;
  }

  /** bitcoind's `BroadcastTransaction` behind sendrawtransaction; returns the txid (display hex). */
  sendRawTransaction(tx: Transaction, limits: BroadcastLimits): string {
    const p = prepareTx(tx);
    if (tx.outputs.some((o) => isUnspendable(o.scriptPubKey) && o.valueSat > limits.maxBurnSat)) {
      throw new TxRejection(
        'Unspendable output exceeds maximum configured by user (maxburnamount)',
        undefined,
        'max-fee',
      );
    }
    if (tx.outputs.some((_, vout) => this.chain.getCoin(outpointKey(p.txidKey, vout)) !== undefined)) {
      throw new TxRejection('Transaction outputs already in utxo set', undefined, 'already-in-chain');
    }
    // Already in the pool is success: the caller's broadcast has happened.
    if (this.mempool.get(p.txidKey) !== undefined) return displayTxid(p);
    if (limits.maxFeeRate > 0n) {
      const { feeSat } = this.accept(p, { testOnly: true });
      if (feeSat > feeForVsize(limits.maxFeeRate, p.vsize)) {
        throw new TxRejection(
          'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)',
          undefined,
          'max-fee',
        );
      }
    }
    this.accept(p);
    return displayTxid(p);
  }

  /**
   * testmempoolaccept: each transaction checked as if the ones before it had been accepted, on a
   * scratch copy of the pool. After the first failure the rest are left unfinished, as bitcoind does.
   */
  testMempoolAccept(txs: readonly Transaction[], maxFeeRate: bigint): TestAcceptResult[] {
    const scratch = txs.length === 1 ? this.mempool : this.mempool.clone();
    const results: TestAcceptResult[] = [];
    let failed = false;
    for (const tx of txs) {
      const p = prepareTx(tx);
      if (failed) {
        results.push({ p, outcome: 'unfinished' });
        continue;
      }
      try {
        const ctx = { ...this.acceptContext(), pool: scratch, scriptCache: new Set<string>() };
        const { feeSat } = acceptToMemoryPool(ctx, p, { testOnly: txs.length === 1 });
        if (maxFeeRate > 0n && feeSat > feeForVsize(maxFeeRate, p.vsize)) {
          throw new TxRejection('max-fee-exceeded');
        }
        results.push({ p, outcome: 'accepted', feeSat });
      } catch (e) {
        if (!(e instanceof TxRejection)) throw e;
        results.push({ p, outcome: 'rejected', rejection: e });
        failed = true;
      }
    }
    return results;
  }

  /** The transaction `txidKey`: from `block` when given, else the mempool, else the active chain. */
  findTransaction(txidKey: string, block?: BlockIndexEntry): FoundTransaction | undefined {
    if (block !== undefined) {
      const index = block.transactions.findIndex((p) => p.txidKey === txidKey);
      return index === -1 ? undefined : { p: block.transactions[index]!, block, index };
    }
    const pooled = this.mempool.get(txidKey);
    if (pooled !== undefined) return { p: pooled.p, mempool: pooled };
    const location = this.chain.findTransaction(txidKey);
    if (location === undefined) return undefined;
    return { p: location.entry.transactions[location.index]!, block: location.entry, index: location.index };
  }

  /** gettxout: the unspent output, seen through the mempool when `includeMempool` (spent there: none). */
  getTxOut(outpoint: OutPoint, includeMempool: boolean): FoundTxOut | undefined {
    const key = keyOfOutpoint(outpoint);
    if (includeMempool) {
      if (this.mempool.spenderOf(key) !== undefined) return undefined;
      const pooled = this.mempool.coinFromPool(toHex(outpoint.txid), outpoint.vout);
      if (pooled !== undefined) return { coin: pooled, confirmations: 0 };
    }
    const coin = this.chain.getCoin(key);
    return coin === undefined ? undefined : { coin, confirmations: this.tip.height - coin.height + 1 };
  }

  /** generatetoaddress: mines `count` blocks paying `script`, each with the best mempool packages. */
  generateToScript(
    count: number,
    script: Uint8Array,
    maxTries: number = DEFAULT_MAX_TRIES,
  ): BlockIndexEntry[] {
    const mined: BlockIndexEntry[] = [];
    for (let i = 0; i < count; i++) {
      const selected = selectTransactions(this.mempool, this.mempoolPolicy.minRelayFeeRate);
      const block = this.mineOnTip(
        script,
        selected.map((e) => e.p.tx),
        selected.reduce((sum, e) => sum + e.feeSat, 0n),
        maxTries,
      );
      if (block === undefined) break;
      mined.push(this.processOwnBlock(block));
    }
    return mined;
  }

  /**
   * generateblock: mines one block with exactly `txs`, in order, paying `script`, and connects it
   * unless `submit` is false. Throws the BlockRejection the block would meet, changing nothing.
   */
  generateBlock(script: Uint8Array, txs: readonly Transaction[], submit = true): Block {
    const block = this.mineOnTip(script, txs, this.feesOf(txs), DEFAULT_MAX_TRIES)!;
    this.chain.testBlockValidity(block, this.clock.now());
    if (submit) this.processOwnBlock(block);
    return block;
  }

  /** submitblock, with bitcoind's BIP 22 results. */
  submitBlock(block: Block): SubmitBlockResult {
    try {
      const processed = this.chain.processBlock(block, this.clock.now());
      if (processed.duplicate) return processed.entry.status === 'valid' ? 'duplicate' : 'duplicate-invalid';
      this.updateMempool(processed.change);
      return this.chain.isActive(processed.entry) ? undefined : 'inconclusive';
    } catch (e) {
      if (e instanceof BlockRejection) return e.reason;
      throw e;
    }
  }

  invalidateBlock(entry: BlockIndexEntry): void {
    this.updateMempool(this.chain.invalidate(entry));
  }

  reconsiderBlock(entry: BlockIndexEntry): void {
    this.updateMempool(this.chain.reconsider(entry));
  }

  /** estimatesmartfee's feerate for `target` blocks, sat/kvB (see fee-estimator.ts). */
  estimateSmartFee(target: number): bigint {
    const recent: bigint[] = [];
    for (let h = this.tip.height; h > this.tip.height - FEE_ESTIMATE_BLOCKS && h > 0; h--) {
      const entry = this.chain.atHeight(h)!;
      entry.connection!.feesSat.forEach((fee, i) =>
        recent.push(feeRateOf(fee, entry.transactions[i + 1]!.vsize)),
      );
    }
    const mempoolFloor = this.effectiveMempoolMinFeeRate;
    return estimateFeeRate(target, {
      recentBlockFeeRates: recent,
      mempool: this.mempool
        .entries()
        .map((e) => ({ feeRate: feeRateOf(e.feeSat, e.p.vsize), vsize: e.p.vsize })),
      floor: this.feeEstimateFloor > mempoolFloor ? this.feeEstimateFloor : mempoolFloor,
    });
  }

  /** Pays `amountSat` to `script` from the faucet's coins with a signed transaction through the mempool. */
  faucet(script: Uint8Array, amountSat: bigint): string {
    expectBigUint(amountSat, MAX_MONEY, 'amount');
    if (amountSat === 0n) throw new ValidationError('amount', 'must be positive');
    const tx = this.faucetWallet.pay(this.faucetCoins(), script, amountSat, this.estimateSmartFee(2));
    const p = prepareTx(tx);
    this.accept(p);
    return displayTxid(p);
  }

  /** bitcoind's `setmocktime`. */
  setMockTime(seconds: number): void {
    this.clock.setMockTime(seconds);
  }

  /**
   * Mines `count` blocks to the faucet. Once the first coinbase is mature, the last block also
   * confirms it split into FAUCET_SPLIT coins, so many payments can go out before a block is mined.
   */
  private mineInitialBlocks(count: number): void {
    const script = this.faucetWallet.scriptPubKey;
    if (count <= COINBASE_MATURITY) {
      this.generateToScript(count, script);
      return;
    }
    this.generateToScript(count - 1, script);
    const coinbase = this.chain.atHeight(1)!.transactions[0]!;
    const coin = {
      outpoint: { txid: coinbase.txid, vout: 0 },
      valueSat: coinbase.tx.outputs[0]!.valueSat,
      confirmed: true,
    };
    this.accept(prepareTx(this.faucetWallet.split(coin, FAUCET_SPLIT, this.mempoolPolicy.minRelayFeeRate)));
    this.generateToScript(1, script);
  }

  private acceptContext() {
    return {
      chain: this.chain,
      pool: this.mempool,
      policy: this.mempoolPolicy,
      now: this.clock.now(),
      scriptCache: this.scriptCache,
    };
  }

  private accept(p: PreparedTx, options: AcceptOptions = {}) {
    return acceptToMemoryPool(this.acceptContext(), p, options);
  }

  /** A block on the tip with `txs`, timed max(now, median time past + 1) as bitcoind's `UpdateTime`. */
  private mineOnTip(
    script: Uint8Array,
    txs: readonly Transaction[],
    feesSat: bigint,
    maxTries: number,
  ): Block | undefined {
    const tip = this.tip;
    const time = Math.max(this.clock.now(), tip.medianTimePast + 1);
    const block = assembleBlock({
      prevHash: tip.hash,
      height: tip.height + 1,
      time,
      payoutScript: script,
      transactions: txs,
      feesSat,
    });
    return mineBlock(block, maxTries);
  }

  /** Connects a block this node mined; a rejection here is a bug in the assembler or the clock. */
  private processOwnBlock(block: Block): BlockIndexEntry {
    const processed = this.chain.processBlock(block, this.clock.now());
    this.updateMempool(processed.change);
    return processed.entry;
  }

  /** The fees `txs` pay when mined in this order on the tip (inputs from the UTXO set or earlier `txs`). */
  private feesOf(txs: readonly Transaction[]): bigint {
    const created = new Map<string, bigint>();
    let fees = 0n;
    for (const tx of txs) {
      const p = prepareTx(tx);
      for (const input of tx.inputs) {
        const key = keyOfOutpoint(input.prevout);
        fees += created.get(key) ?? this.chain.getCoin(key)?.output.valueSat ?? 0n;
      }
      tx.outputs.forEach((o, vout) => {
        created.set(outpointKey(p.txidKey, vout), o.valueSat);
        fees -= o.valueSat;
      });
    }
    // Missing or overspent inputs make the block invalid anyway; the coinbase just must not go negative.
    return fees > 0n ? fees : 0n;
  }

  /** The faucet's spendable coins: mature ones on chain and its unconfirmed change, none spent in the pool. */
  private faucetCoins(): FaucetCoin[] {
    const script = toHex(this.faucetWallet.scriptPubKey);
    const nextHeight = this.tip.height + 1;
    const spendable = (key: string, scriptPubKey: Uint8Array) =>
      toHex(scriptPubKey) === script && this.mempool.spenderOf(key) === undefined;
    const coins: FaucetCoin[] = [];
    for (const [key, coin] of this.chain.coins()) {
      if (!spendable(key, coin.output.scriptPubKey)) continue;
      if (coin.isCoinbase && nextHeight - coin.height < COINBASE_MATURITY) continue;
      const [txidKey, vout] = key.split(':') as [string, string];
      coins.push({
        outpoint: { txid: fromHex(txidKey), vout: Number(vout) },
        valueSat: coin.output.valueSat,
        confirmed: true,
      });
    }
    for (const entry of this.mempool.entries()) {
      entry.p.tx.outputs.forEach((output, vout) => {
        if (!spendable(outpointKey(entry.p.txidKey, vout), output.scriptPubKey)) return;
        coins.push({ outpoint: { txid: entry.p.txid, vout }, valueSat: output.valueSat, confirmed: false });
      });
    }
    return coins;
  }

  /**
   * Keeps the pool consistent with a chain change. Blocks only added: their transactions and
   * anything conflicting with them leave the pool. Blocks disconnected: the disconnected blocks'
   * transactions (oldest first) and then the old pool are re-validated on the new tip without the
   * fee floors; whatever fails (confirmed again, conflicting, no longer final or mature) is dropped.
   */
  private updateMempool(change: ChainChange): void {
    if (change.disconnected.length === 0) {
      for (const entry of change.connected) this.removeForBlock(entry);
      return;
    }
    const resurrected = [...change.disconnected].reverse().flatMap((entry) => entry.transactions.slice(1));
    const previous = this.mempool.clear();
    for (const p of resurrected) this.tryAccept(p, {});
    for (const entry of previous) this.tryAccept(entry.p, { entryTime: entry.time });
  }

  private tryAccept(p: PreparedTx, options: AcceptOptions): void {
    try {
      this.accept(p, { ...options, bypassLimits: true });
    } catch (e) {
      if (!(e instanceof TxRejection)) throw e;
    }
  }

  /** bitcoind's `removeForBlock`: the block's transactions leave the pool, and so does whatever double-spends them. */
  private removeForBlock(entry: BlockIndexEntry): void {
    for (const p of entry.transactions.slice(1)) {
      const pooled = this.mempool.get(p.txidKey);
      if (pooled !== undefined) this.mempool.remove([pooled]);
      for (const input of p.tx.inputs) {
        const conflict = this.mempool.spenderOf(keyOfOutpoint(input.prevout));
        if (conflict !== undefined) this.mempool.remove(this.mempool.withDescendants(conflict));
      }
    }
  }
}

function displayTxid(p: PreparedTx): string {
  return flipHashHex(p.txidKey);
}

function feeRateOption(value: bigint | undefined, fallback: bigint, field: string): bigint {
  return expectBigUint(value ?? fallback, MAX_MONEY, field);
}
