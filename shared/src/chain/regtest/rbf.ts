/**
 * BIP 125 replacement rules as bitcoind's policy/rbf.cpp checks them (Bitcoin Core 27), given the
 * in-mempool transactions a new one conflicts with. Each check returns bitcoind's debug message
 * when it fails:
 * - rule 6: a higher feerate than every directly conflicting transaction;
 * - rule 5: at most 100 transactions evicted (conflicts and their descendants);
 * - rule 2: no new unconfirmed inputs;
 * - rules 3 and 4: at least the evicted transactions' total fee, plus the incremental relay feerate
 *   on the replacement's own size.
 */
import { toHex } from '../../bytes.js';
import type { Mempool, MempoolEntry } from './mempool.js';
import { feeForVsize, feeRateOf, formatFeeRate, formatMoney } from './money.js';
import { flipHashHex, type PreparedTx } from './prepared-tx.js';

/** bitcoind's MAX_REPLACEMENT_CANDIDATES. */
const MAX_REPLACEMENT_CANDIDATES = 100;

export interface ReplacementFailure {
  readonly reason: 'insufficient fee' | 'too many potential replacements' | 'replacement-adds-unconfirmed';
  readonly debug: string;
}

/**
 * Runs the BIP 125 checks, in bitcoind's order, for `p` paying `feeSat` that conflicts directly
 * with `conflicts`. Returns every entry the replacement would evict, or the first failure.
 */
export function checkReplacement(
  pool: Mempool,
  p: PreparedTx,
  feeSat: bigint,
  conflicts: readonly MempoolEntry[],
  incrementalRelayFeeRate: bigint,
): { evicted: Set<MempoolEntry> } | ReplacementFailure {
  const txid = flipHashHex(p.txidKey);
  const newRate = feeRateOf(feeSat, p.vsize);
  for (const conflict of conflicts) {
    const oldRate = feeRateOf(conflict.feeSat, conflict.p.vsize);
    if (newRate <= oldRate) {
      return {
        reason: 'insufficient fee',
        debug: `rejecting replacement ${txid}; new feerate ${formatFeeRate(newRate)} <= old feerate ${formatFeeRate(oldRate)}`,
      };
    }
  }
  const candidates = conflicts.reduce((n, c) => n + pool.withDescendants(c).size, 0);
  if (candidates > MAX_REPLACEMENT_CANDIDATES) {
    return {
      reason: 'too many potential replacements',
      debug: `rejecting replacement ${txid}; too many potential replacements (${candidates} > ${MAX_REPLACEMENT_CANDIDATES})\n`,
    };
  }
  const newUnconfirmed = firstNewUnconfirmedInput(pool, p, conflicts);
  if (newUnconfirmed !== undefined) {
    return {
      reason: 'replacement-adds-unconfirmed',
      debug: `replacement ${txid} adds unconfirmed input, idx ${newUnconfirmed}`,
    };
  }
  const evicted = new Set<MempoolEntry>();
  for (const conflict of conflicts) for (const e of pool.withDescendants(conflict)) evicted.add(e);
  const evictedFees = [...evicted].reduce((sum, e) => sum + e.feeSat, 0n);
  if (feeSat < evictedFees) {
    return {
      reason: 'insufficient fee',
      debug: `rejecting replacement ${txid}, less fees than conflicting txs; ${formatMoney(feeSat)} < ${formatMoney(evictedFees)}`,
    };
  }
  const relayFee = feeForVsize(incrementalRelayFeeRate, p.vsize);
  if (feeSat - evictedFees < relayFee) {
    return {
      reason: 'insufficient fee',
      debug: `rejecting replacement ${txid}, not enough additional fees to relay; ${formatMoney(feeSat - evictedFees)} < ${formatMoney(relayFee)}`,
    };
  }
  return { evicted };
}

/** Rule 2: index of the first input spending an in-pool transaction none of the conflicts spent from. */
function firstNewUnconfirmedInput(
  pool: Mempool,
  p: PreparedTx,
  conflicts: readonly MempoolEntry[],
): number | undefined {
  const parentsOfConflicts = new Set(
    conflicts.flatMap((c) => c.p.tx.inputs.map((input) => toHex(input.prevout.txid))),
  );
  const index = p.tx.inputs.findIndex((input) => {
    const parent = toHex(input.prevout.txid);
    return !parentsOfConflicts.has(parent) && pool.get(parent) !== undefined;
  });
  return index === -1 ? undefined : index;
}
