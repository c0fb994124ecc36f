/**
 * The UTXO set, as bitcoind's `Coin` / `CCoinsViewCache`: each unspent output with the height that
 * created it and whether a coinbase did (for maturity), an overlay that stages a block's changes so
 * a block that fails validation leaves the set untouched, and the undo data (the coins a block
 * spent) that lets a block be disconnected again.
 */
import type { TxOut } from '../../bitcoin/tx.js';

export interface Coin {
  readonly output: TxOut;
  readonly height: number;
  readonly isCoinbase: boolean;
}

/** The coins each non-coinbase transaction of a block spent, in input order (bitcoind's CBlockUndo). */
export type BlockUndo = readonly (readonly Coin[])[];

export interface CoinsLookup {
  getCoin(key: string): Coin | undefined;
}

/** The unspent outputs of the active chain, keyed by outpoint key. */
export class CoinsMap implements CoinsLookup {
  private readonly coins = new Map<string, Coin>();

  getCoin(key: string): Coin | undefined {
    return this.coins.get(key);
  }

  get size(): number {
    return this.coins.size;
  }

  /** Adds an output; an existing coin at the key is a broken invariant (BIP 30 cannot happen after BIP 34). */
  add(key: string, coin: Coin): void {
    if (this.coins.has(key)) throw new Error(`coins: ${key} is already unspent`);
    this.coins.set(key, coin);
  }

  /** Removes and returns the coin at `key`; a missing one is a broken invariant. */
  spend(key: string): Coin {
    const coin = this.coins.get(key);
    if (coin === undefined) throw new Error(`coins: ${key} is not unspent`);
    this.coins.delete(key);
    return coin;
  }

  entries(): IterableIterator<[string, Coin]> {
    return this.coins.entries();
  }
}

/** Stages additions and spends over a base set; `commit` applies them, dropping it discards them. */
export class CoinsOverlay implements CoinsLookup {
  /** A coin added here, or null for a base coin spent here. */
  private readonly changes = new Map<string, Coin | null>();

  constructor(private readonly base: CoinsLookup) {}

  getCoin(key: string): Coin | undefined {
    const changed = this.changes.get(key);
    if (changed !== undefined) return changed ?? undefined;
    return this.base.getCoin(key);
  }

  add(key: string, coin: Coin): void {
    this.changes.set(key, coin);
  }

  /** Spends the coin at `key` and returns it, or undefined when there is none. */
  spend(key: string): Coin | undefined {
    const coin = this.getCoin(key);
    if (coin === undefined) return undefined;
    // A coin created inside this overlay just disappears; a base coin needs a tombstone.
    if (this.changes.get(key)) this.changes.delete(key);
    else this.changes.set(key, null);
    return coin;
  }

  /** Applies the staged changes to `target`, which must be the base this overlay was built on. */
  commit(target: CoinsMap): void {
    for (const [key, coin] of this.changes) {
      if (coin === null) target.spend(key);
      else target.add(key, coin);
    }
    this.changes.clear();
  }
}
