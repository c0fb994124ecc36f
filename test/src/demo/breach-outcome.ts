/**
 * What the victim of a breach got back, read from the best chain (BOLT 5 "Revoked Transaction
 * Close Handling"): it is owed every output of the revoked commitment (its own `to_remote`, the
 * cheater's `to_local` and every HTLC output, through the revocation path); justice claims them
 * to its destination script, less their fees. The victim got its funds back when every output of
 * the revoked commitment is spent on-chain by a claim paying its destination alone, and what
 * reached the destination is exactly what it was owed minus those fees. (A claim's fee is what it
 * spends of the revoked commitment less what it pays: justice transactions have no other inputs.)
 */
import { type Transaction, txidHex } from '@vigil/shared/bitcoin/tx';
import { equalBytes } from '@vigil/shared/bytes';
import { valuePaidTo } from '../support/regtest/regtest-fixture.js';
import type { RpcClient } from '../support/regtest/rpc-client.js';
import { blocksFrom, displayTxid, spendsFrom } from './chain-scan.js';

/** A transaction on the best chain spending outputs of the revoked commitment. */
export interface ChainClaim {
  readonly txid: string;
  readonly height: number;
  /** The revoked commitment's outputs it spends, in sat. */
  readonly spentSat: bigint;
  readonly feeSat: bigint;
  /** Every output pays the victim's destination script. */
  readonly paysDestination: boolean;
}

export interface BreachOutcome {
  /** The revoked commitment's outputs. */
  readonly owedSat: bigint;
  readonly claims: readonly ChainClaim[];
  /** The claims' fees. */
  readonly feeSat: bigint;
  /** What the best chain paid the destination script since the demo started. */
  readonly receivedSat: bigint;
  /** Every output of the revoked commitment is spent by a claim to the destination. */
  readonly allClaimed: boolean;
  /** The victim got its funds back: all claimed, and received = owed - fees. */
  readonly recovered: boolean;
}

/**
 * Reads the outcome of `breach` (the revoked commitment) from the best chain's blocks since
 * `fromHeight`, for a victim whose monitors sweep to `destinationScript`.
 */
export async function breachOutcome(
  rpc: RpcClient,
  breach: Transaction,
  destinationScript: Uint8Array,
  fromHeight: number,
): Promise<BreachOutcome> {
  const breachTxid = txidHex(breach);
  const owedSat = breach.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
  const claims: ChainClaim[] = [];
  const claimed = new Set<number>();
  for (const block of await blocksFrom(rpc, fromHeight)) {
    for (const tx of block.transactions.filter((t) => spendsFrom(t, breachTxid))) {
      const spent = tx.inputs.filter((input) => displayTxid(input.prevout.txid) === breachTxid);
      const spentSat = spent.reduce((sum, input) => sum + breach.outputs[input.prevout.vout]!.valueSat, 0n);
      const paidSat = tx.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
      const paysDestination = tx.outputs.every((o) => equalBytes(o.scriptPubKey, destinationScript));
      if (paysDestination) for (const input of spent) claimed.add(input.prevout.vout);
      claims.push({
        txid: txidHex(tx),
        height: block.height,
        spentSat,
        feeSat: spentSat - paidSat,
        paysDestination,
      });
    }
  }
  const feeSat = claims.filter((c) => c.paysDestination).reduce((sum, c) => sum + c.feeSat, 0n);
  const receivedSat = await valuePaidTo(rpc, destinationScript, fromHeight);
  const allClaimed = breach.outputs.every((_, vout) => claimed.has(vout));
  return {
    owedSat,
    claims,
    feeSat,
    receivedSat,
    allClaimed,
    recovered: allClaimed && receivedSat > 0n && receivedSat === owedSat - feeSat,
  };
}
