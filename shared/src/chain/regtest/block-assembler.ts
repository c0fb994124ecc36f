/**
 * Block assembly and mining, as bitcoind's `BlockAssembler` and `generateBlocks` do it: mempool
 * transactions chosen by ancestor-package feerate (so a child pays for its parents, and parents
 * always come first) within the weight limit, a coinbase with the BIP 34 height and an extra
 * nonce paying subsidy plus fees, the BIP 141 witness commitment (always present, as bitcoind's
 * miner adds it), the merkle root, and a nonce ground until the regtest proof of work is met.
 */
import {
  blockHash,
  blockMerkleRoot,
  checkProofOfWork,
  coinbaseHeightPrefix,
  MAX_BLOCK_WEIGHT,
  witnessCommitment,
  witnessCommitmentScript,
  witnessMerkleRoot,
  type Block,
} from '../../bitcoin/block.js';
import type { Transaction } from '../../bitcoin/tx.js';
import { concatBytes } from '../../bytes.js';
import type { Mempool, MempoolEntry } from './mempool.js';
import { blockSubsidySat, MINER_BLOCK_VERSION, POW_LIMIT, REGTEST_BITS } from './params.js';

/** bitcoind's DEFAULT_BLOCK_MAX_WEIGHT, and the weight it reserves for the coinbase. */
const BLOCK_MAX_WEIGHT = MAX_BLOCK_WEIGHT - 4000;
const COINBASE_RESERVED_WEIGHT = 4000;
const WITNESS_SCALE_FACTOR = 4;
/** bitcoind's generate* default `maxtries`. */
export const DEFAULT_MAX_TRIES = 1_000_000;
const WITNESS_RESERVED_VALUE = new Uint8Array(32);

export interface BlockTemplate {
  readonly prevHash: Uint8Array;
  readonly height: number;
  readonly time: number;
  readonly payoutScript: Uint8Array;
  /** Non-coinbase transactions in block order (parents before children). */
  readonly transactions: readonly Transaction[];
  readonly feesSat: bigint;
}

interface Package {
  fee: bigint;
  vsize: number;
  readonly ancestors: Set<MempoolEntry>;
}

/**
 * bitcoind's `addPackageTxs`: repeatedly takes the transaction whose not-yet-included ancestors
 * together pay the best feerate, while the package fits and pays at least `minFeeRate` (sat/kvB).
 */
export function selectTransactions(pool: Mempool, minFeeRate: bigint): MempoolEntry[] {
  const packages = new Map<MempoolEntry, Package>();
  for (const entry of pool.entries()) {
    const ancestors = pool.ancestorsOf([entry]);
    let fee = 0n;
    let vsize = 0;
    for (const a of ancestors) {
      fee += a.feeSat;
      vsize += a.p.vsize;
    }
    packages.set(entry, { fee, vsize, ancestors });
  }
  const selected: MempoolEntry[] = [];
  const included = new Set<MempoolEntry>();
  let weight = COINBASE_RESERVED_WEIGHT;
  for (let best = bestPackage(packages); best !== undefined; best = bestPackage(packages)) {
    const [entry, pkg] = best;
    packages.delete(entry);
    if (pkg.fee * 1000n < minFeeRate * BigInt(pkg.vsize)) break;
    if (weight + WITNESS_SCALE_FACTOR * pkg.vsize >= BLOCK_MAX_WEIGHT) continue;
    const members = [...pkg.ancestors]
      .filter((a) => !included.has(a))
      .sort((a, b) => a.sequence - b.sequence);
    for (const member of members) {
      included.add(member);
      selected.push(member);
      packages.delete(member);
      // Whatever descends from an included transaction no longer has to pay for it.
      for (const otherPkg of packages.values()) {
        if (otherPkg.ancestors.has(member)) {
          otherPkg.fee -= member.feeSat;
          otherPkg.vsize -= member.p.vsize;
        }
      }
    }
    weight += WITNESS_SCALE_FACTOR * pkg.vsize;
  }
  return selected;
}

/** The package with the best feerate; ties go to the lower txid key so the choice is deterministic. */
function bestPackage(packages: Map<MempoolEntry, Package>): [MempoolEntry, Package] | undefined {
  let best: [MempoolEntry, Package] | undefined;
  for (const candidate of packages) {
    if (best === undefined) {
      best = candidate;
      continue;
    }
    const [entry, pkg] = candidate;
    const [bestEntry, bestPkg] = best;
    const lhs = pkg.fee * BigInt(bestPkg.vsize);
    const rhs = bestPkg.fee * BigInt(pkg.vsize);
    if (lhs > rhs || (lhs === rhs && entry.p.txidKey < bestEntry.p.txidKey)) best = candidate;
  }
  return best;
}

/** The unmined block of `template`: coinbase (BIP 34 height, extra nonce 1, commitment), merkle root, nonce 0. */
export function assembleBlock(template: BlockTemplate): Block {
  const body = [...template.transactions];
  const placeholder = coinbaseTransaction(template, new Uint8Array(32));
  const commitment = witnessCommitment(witnessMerkleRoot([placeholder, ...body]), WITNESS_RESERVED_VALUE);
  const transactions = [coinbaseTransaction(template, commitment), ...body];
  return {
    header: {
      version: MINER_BLOCK_VERSION,
      prevBlockHash: template.prevHash,
      merkleRoot: blockMerkleRoot(transactions).root,
      time: template.time,
      bits: REGTEST_BITS,
      nonce: 0,
    },
    transactions,
  };
}

function coinbaseTransaction(template: BlockTemplate, commitment: Uint8Array): Transaction {
  // `CScript() << height << CScriptNum(extraNonce)`: the extra nonce 1 is pushed as data, 01 01.
  const scriptSig = concatBytes(coinbaseHeightPrefix(template.height), Uint8Array.of(0x01, 0x01));
  return {
    version: 2,
    inputs: [
      {
        prevout: { txid: new Uint8Array(32), vout: 0xffff_ffff },
        scriptSig,
        sequence: 0xffff_ffff,
        witness: [WITNESS_RESERVED_VALUE],
      },
    ],
    outputs: [
      { valueSat: blockSubsidySat(template.height) + template.feesSat, scriptPubKey: template.payoutScript },
      { valueSat: 0n, scriptPubKey: witnessCommitmentScript(commitment) },
    ],
    locktime: 0,
  };
}

/** Grinds the nonce until the header meets its target; undefined after `maxTries` attempts. */
export function mineBlock(block: Block, maxTries: number = DEFAULT_MAX_TRIES): Block | undefined {
  for (let nonce = 0; nonce < Math.min(maxTries, 0x1_0000_0000); nonce++) {
    const header = { ...block.header, nonce };
    if (checkProofOfWork(blockHash(header), header.bits, POW_LIMIT)) return { ...block, header };
  }
  return undefined;
}
