/**
 * Block validation as bitcoind's validation.cpp runs it: `CheckBlock` (context-free: proof of work,
 * merkle root and CVE-2012-2459 mutation, size, exactly one coinbase first, each transaction's
 * `CheckTransaction`), `ContextualCheckBlockHeader` (regtest bits, time above the median time past
 * and at most two hours ahead, version >= 4), `ContextualCheckBlock` (BIP 113 finality, BIP 34
 * height, BIP 141 witness commitment, weight) and `ConnectBlock` (inputs, maturity, BIP 68, every
 * input script through the independent verifier, coinbase value), which yields the undo data.
 */
import {
  blockMerkleRoot,
  checkProofOfWork,
  coinbaseCommitsToHeight,
  findWitnessCommitment,
  MAX_BLOCK_WEIGHT,
  witnessCommitment,
  witnessCommitmentAt,
  witnessMerkleRoot,
  type Block,
  type BlockHeader,
} from '../../bitcoin/block.js';
import { equalBytes } from '../../bytes.js';
import { ancestorAt, type BlockConnection, type BlockIndexEntry } from './block-index.js';
import type { Coin, CoinsOverlay } from './coins.js';
import { calculateSequenceLocks, isFinalTx, sequenceLocksSatisfied } from './locktime.js';
import { moneyRange } from './money.js';
import { isUnspendable } from './output-type.js';
import {
  blockSubsidySat,
  MAX_FUTURE_BLOCK_TIME,
  MIN_BLOCK_VERSION,
  POW_LIMIT,
  REGTEST_BITS,
} from './params.js';
import { flipHashHex, keyOfOutpoint, outpointKey, type PreparedTx } from './prepared-tx.js';
import { BlockRejection, TxRejection } from './rejections.js';
import { checkInputScripts, CONSENSUS_SCRIPT_FLAGS } from './script-verifier.js';
import { checkTransaction, checkTxInputs, isCoinbase } from './tx-consensus.js';

const WITNESS_SCALE_FACTOR = 4;
const WITNESS_RESERVED_VALUE_BYTES = 32;

/** bitcoind's `CheckBlock`. `txs` are the block's transactions, prepared. */
export function checkBlock(
  block: Block,
  hash: Uint8Array,
  txs: readonly PreparedTx[],
  strippedSize: number,
): void {
  if (!checkProofOfWork(hash, block.header.bits, POW_LIMIT))
    throw new BlockRejection('high-hash', 'proof of work failed');
  const merkle = blockMerkleRoot(block.transactions);
  if (!equalBytes(merkle.root, block.header.merkleRoot)) {
    throw new BlockRejection('bad-txnmrklroot', 'hashMerkleRoot mismatch');
  }
  if (merkle.mutated) throw new BlockRejection('bad-txns-duplicate', 'duplicate transaction');
  if (
    txs.length === 0 ||
    txs.length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
    strippedSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
  ) {
    throw new BlockRejection('bad-blk-length', 'size limits failed');
  }
  if (!isCoinbase(txs[0]!.tx)) throw new BlockRejection('bad-cb-missing', 'first tx is not coinbase');
  if (txs.slice(1).some((p) => isCoinbase(p.tx)))
    throw new BlockRejection('bad-cb-multiple', 'more than one coinbase');
  for (const p of txs) {
    try {
      checkTransaction(p);
    } catch (e) {
      if (!(e instanceof TxRejection)) throw e;
      throw new BlockRejection(
        e.reason,
        `Transaction check failed (tx hash ${flipHashHex(p.txidKey)}) ${e.debug ?? ''}`,
      );
    }
  }
}

/** bitcoind's `ContextualCheckBlockHeader` for a header on top of `prev`, with the node clock at `now`. */
export function contextualCheckBlockHeader(header: BlockHeader, prev: BlockIndexEntry, now: number): void {
  if (header.bits !== REGTEST_BITS) throw new BlockRejection('bad-diffbits', 'incorrect proof of work');
  if (header.time <= prev.medianTimePast)
    throw new BlockRejection('time-too-old', "block's timestamp is too early");
  if (header.time > now + MAX_FUTURE_BLOCK_TIME) {
    throw new BlockRejection('time-too-new', 'block timestamp too far in the future');
  }
  if (header.version < MIN_BLOCK_VERSION) {
    const hex = `0x${(header.version >>> 0).toString(16).padStart(8, '0')}`;
    throw new BlockRejection(`bad-version(${hex})`, `rejected nVersion=${hex} block`);
  }
}

/** bitcoind's `ContextualCheckBlock` for `block` at `height` on top of `prev`. */
export function contextualCheckBlock(
  block: Block,
  txs: readonly PreparedTx[],
  height: number,
  prev: BlockIndexEntry,
  weight: number,
): void {
  // BIP 113: locktimes are compared with the parent's median time past, not the block's own time.
  if (!txs.every((p) => isFinalTx(p.tx, height, prev.medianTimePast))) {
    throw new BlockRejection('bad-txns-nonfinal', 'non-final transaction');
  }
  const coinbase = block.transactions[0]!;
  if (!coinbaseCommitsToHeight(coinbase.inputs[0]!.scriptSig, height)) {
    throw new BlockRejection('bad-cb-height', 'block height mismatch in coinbase');
  }
  checkWitnessCommitment(block);
  if (weight > MAX_BLOCK_WEIGHT)
    throw new BlockRejection('bad-blk-weight', 'ContextualCheckBlock : weight limit failed');
}

/** BIP 141: with a commitment, the coinbase witness is one 32-byte value and the commitment matches; without, no witnesses. */
function checkWitnessCommitment(block: Block): void {
  const coinbase = block.transactions[0]!;
  const index = findWitnessCommitment(coinbase);
  if (index === undefined) {
    if (block.transactions.some((tx) => tx.inputs.some((input) => input.witness.length > 0))) {
      throw new BlockRejection(
        'unexpected-witness',
        'CheckWitnessMalleation : unexpected witness data found',
      );
    }
    return;
  }
  const reserved = coinbase.inputs[0]!.witness;
  if (reserved.length !== 1 || reserved[0]!.length !== WITNESS_RESERVED_VALUE_BYTES) {
    throw new BlockRejection(
      'bad-witness-nonce-size',
      'CheckWitnessMalleation : invalid witness reserved value size',
    );
  }
  const expected = witnessCommitment(witnessMerkleRoot(block.transactions), reserved[0]!);
  if (!equalBytes(expected, witnessCommitmentAt(coinbase, index))) {
    throw new BlockRejection(
      'bad-witness-merkle-match',
      'CheckWitnessMalleation : witness merkle commitment mismatch',
    );
  }
}

/**
 * bitcoind's `ConnectBlock` for the block of `entry`: spends and creates coins in `coins` (an
 * overlay the caller commits only on success). `scriptCache` holds the wtxids whose scripts the
 * mempool already verified under flags that include the consensus ones; each is used once.
 */
export function connectBlock(
  entry: BlockIndexEntry,
  coins: CoinsOverlay,
  scriptCache: Set<string>,
): BlockConnection {
  const prev = entry.prev!;
  const height = entry.height;
  const undo: Coin[][] = [];
  const feesSat: bigint[] = [];
  entry.transactions.forEach((p, i) => {
    if (i > 0) {
      const spentCoins = spendInputs(p, coins, height, prev, scriptCache);
      feesSat.push(spentCoins.fee);
      undo.push(spentCoins.coins);
    }
    addOutputs(p, coins, height, i === 0);
  });
  const totalFees = feesSat.reduce((sum, fee) => sum + fee, 0n);
  if (!moneyRange(totalFees))
    throw new BlockRejection(
      'bad-txns-accumulated-fee-outofrange',
      'accumulated fee in the block out of range',
    );
  const coinbaseValue = entry.transactions[0]!.tx.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
  const limit = totalFees + blockSubsidySat(height);
  if (coinbaseValue > limit) {
    throw new BlockRejection(
      'bad-cb-amount',
      `coinbase pays too much (actual=${coinbaseValue} vs limit=${limit})`,
    );
  }
  return { undo, feesSat };
}

/** Checks and spends the inputs of one non-coinbase transaction; returns the coins spent and its fee. */
function spendInputs(
  p: PreparedTx,
  coins: CoinsOverlay,
  height: number,
  prev: BlockIndexEntry,
  scriptCache: Set<string>,
): { coins: Coin[]; fee: bigint } {
  const found = p.tx.inputs.map((input) => coins.getCoin(keyOfOutpoint(input.prevout)));
  const fee = rejectAsBlock(p, () => checkTxInputs(p.tx, found, height));
  const spent = found as Coin[];
  const locks = calculateSequenceLocks(
    p.tx,
    spent.map((coin) => coin.height),
    (h) => ancestorAt(prev, h)!.medianTimePast,
  );
  if (!sequenceLocksSatisfied(locks, height, prev.medianTimePast)) {
    throw new BlockRejection('bad-txns-nonfinal', 'contains a non-BIP68-final transaction');
  }
  if (!scriptCache.delete(p.wtxidKey)) {
    const failure = checkInputScripts(
      p.raw,
      spent.map((coin) => coin.output),
      CONSENSUS_SCRIPT_FLAGS,
    );
    if (failure !== undefined)
      throw new BlockRejection(failure.reason, `in transaction ${flipHashHex(p.txidKey)}`);
  }
  for (const input of p.tx.inputs) coins.spend(keyOfOutpoint(input.prevout));
  return { coins: spent, fee };
}

/** Adds the spendable outputs of `p`: OP_RETURN and oversized scripts never enter the UTXO set. */
function addOutputs(p: PreparedTx, coins: CoinsOverlay, height: number, coinbase: boolean): void {
  p.tx.outputs.forEach((output, vout) => {
    if (!isUnspendable(output.scriptPubKey))
      coins.add(outpointKey(p.txidKey, vout), { output, height, isCoinbase: coinbase });
  });
}

/** Runs a transaction check, reporting its rejection as the block's, named after the transaction. */
function rejectAsBlock<T>(p: PreparedTx, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof TxRejection)) throw e;
    throw new BlockRejection(e.reason, `${e.debug ?? ''} in transaction ${flipHashHex(p.txidKey)}`);
  }
}
