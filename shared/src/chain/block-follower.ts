/**
 * `BlockFollower` (DESIGN.md "Chain layer"): follows a ChainSource's best chain by polling. On a
 * reorg it walks back through the hashes it kept to the fork point, emits `blockDisconnected` for
 * each removed block (newest first), then `blockConnected` for each new one (oldest first).
 *
 * Exactly-once invariant: each connect or disconnect runs the listener and records the new
 * position in ONE database transaction. A crash anywhere leaves either both or neither, so a
 * restart resumes at the persisted block with no gap and no repeat, and a listener whose effects
 * are in the same database (a monitor's claims, a wallet's UTXOs) never sees a block twice.
 */
import { equalBytes } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { type Block, blockHash } from '../bitcoin/block.js';
import type { Database, SqlTransaction } from '../db/database.js';
import type { BlockRef, ChainSource } from './chain-source.js';

/** The transaction handle a listener writes through. */
export type FollowerTx = SqlTransaction;

export interface BlockListener {
  blockConnected(block: Block, ref: BlockRef, tx: FollowerTx): Promise<void>;
  blockDisconnected(ref: BlockRef, tx: FollowerTx): Promise<void>;
}

export interface BlockFollowerOptions {
  /** Names this follower's position among others in the same database. */
  readonly id: string;
  readonly source: ChainSource;
  readonly sql: Database;
  readonly listener: BlockListener;
  /**
   * With no stored position: the first block to deliver. Without it, the follower starts at the
   * current tip and delivers only blocks after it.
   */
  readonly startHeight?: number;
  /** How many recent hashes to keep: the deepest reorg it can follow. Default DEFAULT_KEEP_BLOCKS. */
  readonly keepBlocks?: number;
}

/** How many recent block hashes a follower keeps unless told otherwise: a day of blocks. */
export const DEFAULT_KEEP_BLOCKS = 144;

/** A reorg deeper than the kept hashes: resuming would risk missing blocks, so it stops. */
export class ReorgTooDeepError extends ValidationError {}

export interface PollResult {
  readonly connected: number;
  readonly disconnected: number;
}

export class BlockFollower {
  /** Kept blocks, ascending height; the last is the position. Loaded lazily from the database. */
  private recent: BlockRef[] | undefined;

  constructor(private readonly options: BlockFollowerOptions) {}

  /** The last block delivered (or the starting tip), once known. */
  get position(): BlockRef | undefined {
    return this.recent?.[this.recent.length - 1];
  }

  /** Brings the listener up to the source's current tip. */
  async poll(): Promise<PollResult> {
    const recent = await this.loadRecent();
    const tip = await this.options.source.getTip();
    if (recent.length === 0) return this.begin(tip);
    const position = recent[recent.length - 1]!;
    if (equalBytes(position.hash, tip.hash)) return { connected: 0, disconnected: 0 };
    const fork = await this.findFork(recent, tip);
    let disconnected = 0;
    while (this.position!.height > fork.height) {
      await this.disconnect(this.position!);
      disconnected++;
    }
    const connected = await this.connectUpTo(tip.height);
    return { connected, disconnected };
  }

  /** Polls every `intervalMs` until `signal` aborts; errors go to `onError` and polling goes on. */
  async run(intervalMs: number, signal: AbortSignal, onError: (e: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.poll();
      } catch (e) {
        onError(e);
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
      });
    }
  }

  private async loadRecent(): Promise<BlockRef[]> {
    if (this.recent === undefined) {
      const rows = await this.options.sql<{ height: number; hash: Uint8Array }[]>`
        SELECT height, hash FROM chain_follower_blocks WHERE follower = ${this.options.id} ORDER BY height`;
      this.recent = rows.map((r) => ({ height: r.height, hash: new Uint8Array(r.hash) }));
    }
    return this.recent;
  }

  /** First run: deliver from `startHeight`, or adopt the tip as the starting position. */
  private async begin(tip: BlockRef): Promise<PollResult> {
    const { startHeight } = this.options;
    if (startHeight === undefined) {
      await this.options.sql.begin((tx) => this.record(tx, tip));
      this.recent = [tip];
      return { connected: 0, disconnected: 0 };
    }
    if (!Number.isInteger(startHeight) || startHeight < 0) {
      throw new ValidationError('startHeight', `expected a non-negative integer, got ${startHeight}`);
    }
    return { connected: await this.connectUpTo(tip.height, startHeight), disconnected: 0 };
  }

  /** The highest kept block still on the source's best chain. */
  private async findFork(recent: readonly BlockRef[], tip: BlockRef): Promise<BlockRef> {
    for (let i = recent.length - 1; i >= 0; i--) {
      const ours = recent[i]!;
      if (ours.height > tip.height) continue;
      const theirs = await this.options.source.getBlockHash(ours.height);
      if (theirs !== undefined && equalBytes(theirs, ours.hash)) return ours;
    }
    throw new ReorgTooDeepError(
      `follower ${this.options.id}`,
      `no kept block (heights ${recent[0]!.height}..${recent[recent.length - 1]!.height}) is on the best chain any more`,
    );
  }

  /**
   * Connects blocks above the position (or from `from` on a first run) up to `tipHeight`. Stops
   * early if the chain moves under it (a block whose parent is not the position); the next poll
   * handles that as a reorg.
   */
  private async connectUpTo(tipHeight: number, from?: number): Promise<number> {
    let connected = 0;
    for (let height = from ?? this.position!.height + 1; height <= tipHeight; height++) {
      const hash = await this.options.source.getBlockHash(height);
      if (hash === undefined) break;
      const block = await this.options.source.getBlock(hash);
      const parent = this.position;
      if (parent !== undefined && !equalBytes(block.header.prevBlockHash, parent.hash)) break;
      await this.connect(block, { height, hash: blockHash(block.header) });
      connected++;
    }
    return connected;
  }

  private async connect(block: Block, ref: BlockRef): Promise<void> {
    await this.options.sql.begin(async (tx) => {
      await this.options.listener.blockConnected(block, ref, tx);
      await this.record(tx, ref);
    });
    const keep = this.options.keepBlocks ?? DEFAULT_KEEP_BLOCKS;
    this.recent = [...this.recent!, ref].slice(-keep);
  }

  private async disconnect(ref: BlockRef): Promise<void> {
    await this.options.sql.begin(async (tx) => {
      await this.options.listener.blockDisconnected(ref, tx);
      await tx`DELETE FROM chain_follower_blocks WHERE follower = ${this.options.id} AND height >= ${ref.height}`;
    });
    this.recent = this.recent!.slice(0, -1);
  }

  /** Stores `ref` as the position and forgets blocks older than the kept window. */
  private async record(tx: FollowerTx, ref: BlockRef): Promise<void> {
    const keep = this.options.keepBlocks ?? DEFAULT_KEEP_BLOCKS;
    await tx`DELETE FROM chain_follower_blocks WHERE follower = ${this.options.id}
             AND (height >= ${ref.height} OR height <= ${ref.height - keep})`;
    await tx`INSERT INTO chain_follower_blocks (follower, height, hash) VALUES (${this.options.id}, ${ref.height}, ${ref.hash})`;
  }
}
