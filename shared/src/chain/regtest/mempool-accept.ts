/**
 * Mempool acceptance, as bitcoind's `MemPoolAccept` runs it (PreChecks, ReplacementChecks,
 * PolicyScriptChecks, Finalize) for Bitcoin Core 27, with its reject reasons in its order:
 * consensus checks, standardness, finality at the next block (BIP 113), duplicates, conflicts
 * (BIP 125 opt-in signalling unless full-RBF is on), missing inputs, BIP 68, input values and
 * coinbase maturity, input standardness, fee floors, chain limits, replacement rules, and last
 * every input script through the independent interpreter with the standard flags.
 */
import { toHex } from '../../bytes.js';
import type { ChainState } from './chain-state.js';
import type { Coin } from './coins.js';
import { calculateSequenceLocks, isFinalTx, sequenceLocksSatisfied, signalsOptInRbf } from './locktime.js';
import { MEMPOOL_COIN_HEIGHT, type Mempool, type MempoolEntry } from './mempool.js';
import { feeForVsize } from './money.js';
import {
  areInputsStandard,
  isWitnessStandard,
  MIN_STANDARD_TX_NONWITNESS_SIZE,
  nonStandardReason,
} from './policy.js';
import { flipHashHex, keyOfOutpoint, outpointKey, type PreparedTx } from './prepared-tx.js';
import { checkReplacement } from './rbf.js';
import { TxRejection } from './rejections.js';
import { checkInputScripts, STANDARD_SCRIPT_FLAGS } from './script-verifier.js';
import { checkTransaction, checkTxInputs, isCoinbase } from './tx-consensus.js';

/** bitcoind's default ancestor/descendant limits: 25 transactions, 101 kvB. */
const CHAIN_COUNT_LIMIT = 25;
const CHAIN_SIZE_LIMIT = 101_000;

/** Fee floors and replacement mode, all rates in sat/kvB. */
export interface MempoolPolicy {
  readonly minRelayFeeRate: bigint;
  readonly incrementalRelayFeeRate: bigint;
  readonly dustRelayFeeRate: bigint;
  /** The dynamic floor (`setmempoolminfee`), 0 when not raised; checked before the relay floor. */
  readonly mempoolMinFeeRate: bigint;
  /** True: any conflicting transaction may be replaced (Core 28's default); false: BIP 125 signalling. */
  readonly fullRbf: boolean;
}

export interface AcceptContext {
  readonly chain: ChainState;
  readonly pool: Mempool;
  readonly policy: MempoolPolicy;
  readonly now: number;
  /** Receives the wtxid of every transaction whose scripts passed, for block connection to skip. */
  readonly scriptCache: Set<string>;
}

export interface AcceptOptions {
  /** Check only (testmempoolaccept): nothing is added or evicted. */
  readonly testOnly?: boolean;
  /** Skip the fee floors, as bitcoind does for transactions coming back from disconnected blocks. */
  readonly bypassLimits?: boolean;
  /** Keep an earlier entry time (re-validation after a reorg). */
  readonly entryTime?: number;
}

export interface Accepted {
  /** The fee the transaction pays. */
  readonly feeSat: bigint;
  /** Entries a replacement evicted (or would evict). */
  readonly replaced: readonly MempoolEntry[];
}

/** Accepts `p` into `ctx.pool` or throws a TxRejection with bitcoind's reason. */
export function acceptToMemoryPool(ctx: AcceptContext, p: PreparedTx, options: AcceptOptions = {}): Accepted {
  const { chain, pool, policy } = ctx;
  const tx = p.tx;
  const tip = chain.tip;
  checkTransaction(p);
  if (isCoinbase(tx)) throw new TxRejection('coinbase');
  const nonStandard = nonStandardReason(p, policy.dustRelayFeeRate);
  if (nonStandard !== undefined) throw new TxRejection(nonStandard);
  if (p.baseSize < MIN_STANDARD_TX_NONWITNESS_SIZE) throw new TxRejection('tx-size-small');
  if (!isFinalTx(tx, tip.height + 1, tip.medianTimePast)) throw new TxRejection('non-final');
  if (pool.getByWtxid(p.wtxidKey) !== undefined) throw new TxRejection('txn-already-in-mempool');
  if (pool.get(p.txidKey) !== undefined) throw new TxRejection('txn-same-nonwitness-data-in-mempool');

  const conflicts = directConflicts(pool, p, policy.fullRbf);
  const coins = lookUpCoins(ctx, p);
  checkSequenceLocksAtTip(ctx, p, coins);
  const feeSat = checkTxInputs(tx, coins, tip.height + 1);
  const spentOutputs = coins.map((coin) => coin.output);
  if (!areInputsStandard(tx, spentOutputs)) throw new TxRejection('bad-txns-nonstandard-inputs');
  if (!isWitnessStandard(tx, spentOutputs)) throw new TxRejection('bad-witness-nonstandard');
  if (!options.bypassLimits) checkFeeRate(policy, p.vsize, feeSat);

  const ancestors = checkChainLimits(pool, p);
  const conflicting = ancestors.find((a) => conflicts.includes(a));
  if (conflicting !== undefined) {
    throw new TxRejection(
      'bad-txns-spends-conflicting-tx',
      `${flipHashHex(p.txidKey)} spends conflicting transaction ${flipHashHex(conflicting.p.txidKey)}`,
    );
  }
  let replaced: MempoolEntry[] = [];
  if (conflicts.length > 0) {
    const replacement = checkReplacement(pool, p, feeSat, conflicts, policy.incrementalRelayFeeRate);
    if ('reason' in replacement) throw new TxRejection(replacement.reason, replacement.debug);
    replaced = [...replacement.evicted];
  }
  const failure = checkInputScripts(p.raw, spentOutputs, STANDARD_SCRIPT_FLAGS);
  if (failure !== undefined) throw new TxRejection(failure.reason);

  if (options.testOnly) return { feeSat, replaced };
  pool.remove(replaced);
  pool.add({ p, feeSat, time: options.entryTime ?? ctx.now, height: tip.height });
  ctx.scriptCache.add(p.wtxidKey);
  return { feeSat, replaced };
}

/** The in-pool transactions spending the same outputs; throws `txn-mempool-conflict` if one may not be replaced. */
function directConflicts(pool: Mempool, p: PreparedTx, fullRbf: boolean): MempoolEntry[] {
  const conflicts: MempoolEntry[] = [];
  for (const input of p.tx.inputs) {
    const spender = pool.spenderOf(keyOfOutpoint(input.prevout));
    if (spender === undefined || conflicts.includes(spender)) continue;
    // As bitcoind: only the conflicting transaction's own signal counts, not an ancestor's.
    if (!fullRbf && !signalsOptInRbf(spender.p.tx)) throw new TxRejection('txn-mempool-conflict');
    conflicts.push(spender);
  }
  return conflicts;
}

/**
 * The coin each input spends, from the pool first, then the UTXO set. A missing one rejects the
 * transaction: `txn-already-known` when its own outputs are already unspent on chain (it was
 * confirmed), `bad-txns-inputs-missingorspent` otherwise.
 */
function lookUpCoins(ctx: AcceptContext, p: PreparedTx): Coin[] {
  return p.tx.inputs.map((input) => {
    const parent = toHex(input.prevout.txid);
    const coin =
      ctx.pool.get(parent) !== undefined
        ? ctx.pool.coinFromPool(parent, input.prevout.vout)
        : ctx.chain.getCoin(keyOfOutpoint(input.prevout));
    if (coin !== undefined) return coin;
    if (p.tx.outputs.some((_, vout) => ctx.chain.getCoin(outpointKey(p.txidKey, vout)) !== undefined)) {
      throw new TxRejection('txn-already-known');
    }
    throw new TxRejection('bad-txns-inputs-missingorspent', undefined, 'missing-inputs');
  });
}

/** bitcoind's `CheckSequenceLocksAtTip`: BIP 68 as if the transaction went into the next block. */
function checkSequenceLocksAtTip(ctx: AcceptContext, p: PreparedTx, coins: readonly Coin[]): void {
  const tip = ctx.chain.tip;
  const nextHeight = tip.height + 1;
  const locks = calculateSequenceLocks(
    p.tx,
    coins.map((coin) => (coin.height === MEMPOOL_COIN_HEIGHT ? nextHeight : coin.height)),
    (height) => ctx.chain.atHeight(height)!.medianTimePast,
  );
  if (!sequenceLocksSatisfied(locks, nextHeight, tip.medianTimePast))
    throw new TxRejection('non-BIP68-final');
}

/** bitcoind's `CheckFeeRate`: the dynamic mempool floor first, then the static relay floor. */
function checkFeeRate(policy: MempoolPolicy, vsize: number, feeSat: bigint): void {
  const mempoolFloor = feeForVsize(policy.mempoolMinFeeRate, vsize);
  if (mempoolFloor > 0n && feeSat < mempoolFloor) {
    throw new TxRejection('mempool min fee not met', `${feeSat} < ${mempoolFloor}`);
  }
  const relayFloor = feeForVsize(policy.minRelayFeeRate, vsize);
  if (feeSat < relayFloor) throw new TxRejection('min relay fee not met', `${feeSat} < ${relayFloor}`);
}

/**
 * bitcoind's `CalculateMemPoolAncestors` limits, walked in its order (parents first, each ancestor's
 * descendants checked as it is reached): at most 25 transactions and 101 kvB in the new
 * transaction's ancestry, and the same for each ancestor's descendants. Returns the ancestors.
 */
function checkChainLimits(pool: Mempool, p: PreparedTx): MempoolEntry[] {
  const staged = new Map<string, MempoolEntry>();
  for (const input of p.tx.inputs) {
    const parent = pool.get(toHex(input.prevout.txid));
    if (parent !== undefined) staged.set(parent.p.txidKey, parent);
  }
  if (staged.size + 1 > CHAIN_COUNT_LIMIT) {
    throw new TxRejection(
      'too-long-mempool-chain',
      `too many unconfirmed parents [limit: ${CHAIN_COUNT_LIMIT}]`,
    );
  }
  const ancestors = new Set<MempoolEntry>();
  let ancestrySize = p.vsize;
  for (const [key, stage] of staged) {
    staged.delete(key);
    ancestors.add(stage);
    ancestrySize += stage.p.vsize;
    checkDescendantLimits(pool, stage, p.vsize, ancestrySize);
    for (const parent of pool.parents(stage)) {
      if (!ancestors.has(parent)) staged.set(parent.p.txidKey, parent);
      if (staged.size + ancestors.size + 1 > CHAIN_COUNT_LIMIT) {
        throw new TxRejection(
          'too-long-mempool-chain',
          `too many unconfirmed ancestors [limit: ${CHAIN_COUNT_LIMIT}]`,
        );
      }
    }
  }
  return [...ancestors];
}

/** The checks bitcoind makes as it reaches each ancestor: its descendants with the newcomer, and the ancestry so far. */
function checkDescendantLimits(
  pool: Mempool,
  ancestor: MempoolEntry,
  newSize: number,
  ancestrySize: number,
): void {
  const descendants = [...pool.withDescendants(ancestor)];
  const id = flipHashHex(ancestor.p.txidKey);
  if (descendants.reduce((n, d) => n + d.p.vsize, 0) + newSize > CHAIN_SIZE_LIMIT) {
    throw new TxRejection(
      'too-long-mempool-chain',
      `exceeds descendant size limit for tx ${id} [limit: ${CHAIN_SIZE_LIMIT}]`,
    );
  }
  if (descendants.length + 1 > CHAIN_COUNT_LIMIT) {
    throw new TxRejection(
      'too-long-mempool-chain',
      `too many descendants for tx ${id} [limit: ${CHAIN_COUNT_LIMIT}]`,
    );
  }
  if (ancestrySize > CHAIN_SIZE_LIMIT) {
    throw new TxRejection(
      'too-long-mempool-chain',
      `exceeds ancestor size limit [limit: ${CHAIN_SIZE_LIMIT}]`,
    );
  }
}
