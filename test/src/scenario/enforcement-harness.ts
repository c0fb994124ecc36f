/**
 * The enforcement scenario harness: real channel states made by the channel state machine, fed to
 * real monitors over their real protocol, against the embedded regtest node.
 *
 * - the chain: a vigil-regtest node in-process (startTestNode);
 * - the monitors: N vigil-monitors in-process, each on its own database, following that node
 *   (scenario-monitor.ts);
 * - the manager's side: RemoteWatch with a configurable quorum and one MonitorSession per
 *   monitor (manager-side.ts);
 * - the channel: a ChannelPair whose opener A (the holder, whose monitors the scenario tests)
 *   is frozen on that RemoteWatch (frozen-channel.ts) and funded on-chain (regtest-funding.ts).
 *   B (the counterparty, the would-be cheater) keeps its own ChannelMonitor in its
 *   ReplayingWatch, from which the harness signs B's commitments and HTLC transactions.
 *
 * A test drives payments, snapshots B's commitment, broadcasts and mines what it likes, has every
 * monitor process the chain (`pollMonitors`) and reads the outcome: the monitors' chain
 * positions, the events the manager handled, what reached A's destination script.
 */
import { toHex } from '@vigil/shared/bytes';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { ChannelPair, payment, type Peer } from '../fixtures/channel-pair.js';
import { openFrozen, payFrozen, settle } from '../fixtures/frozen-channel.js';
import {
  confirmations,
  height,
  mine,
  startTestNode,
  type TestNode,
  valuePaidTo,
} from '../support/regtest/regtest-fixture.js';
import { txHex } from '../support/regtest/test-wallet.js';
import { type CounterpartySnapshot, snapshotCounterpartyCommitment } from './counterparty-snapshot.js';
import { type ManagerSide, startManagerSide } from './manager-side.js';
import { regtestFunding } from './regtest-funding.js';
import { type ScenarioMonitor, startScenarioMonitor } from './scenario-monitor.js';

export type { CounterpartySnapshot };

/** The manager's node key (the monitors' one tenant). */
const NODE_SECRET = new Uint8Array(32).fill(0x5c);

export interface EnforcementScenarioOptions {
  /** How many monitors watch A's channel; default 2. */
  readonly monitors?: number;
  /** How many must persist an update before it completes; default all. */
  readonly quorum?: number;
  /** Default 1,000,000 sat. */
  readonly fundingSat?: bigint;
  /** What A gives B at opening; default ChannelPair's (400,000,000 msat). */
  readonly pushMsat?: bigint;
  /** The monitors' chain poll interval; default 100 ms. */
  readonly pollIntervalMs?: number;
}

/** An HTLC committed on both sides and left pending. */
export interface PendingHtlc {
  readonly htlcId: bigint;
  readonly paymentHash: Uint8Array;
  readonly preimage: Uint8Array;
}

export class EnforcementScenario {
  /** The next payment number (`payment(n)` gives its preimage). */
  private nextPayment = 1;
  /** Preimages of the HTLCs A offered B: B, their final recipient, knows them. */
  private readonly preimagesOfB = new Map<string, Uint8Array>();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly node: TestNode,
    readonly monitors: readonly ScenarioMonitor[],
    readonly manager: ManagerSide,
    readonly pair: ChannelPair,
    /** The channel's funding transaction, confirmed. */
    readonly fundingTx: Transaction,
    /** The tip when the scenario started: the monitors process every block from it on. */
    readonly startHeight: number,
    private readonly cleanups: readonly (() => Promise<void>)[],
  ) {}

  /** Starts everything and opens A's channel on-chain; both sides end `normal`. */
  static async start(options: EnforcementScenarioOptions = {}): Promise<EnforcementScenario> {
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const node = await startTestNode();
      cleanups.push(() => node.regtest.stop());
      const startHeight = await height(node.rpc);
      const monitors: ScenarioMonitor[] = [];
      for (let i = 1; i <= (options.monitors ?? 2); i++) {
        const monitor = await startScenarioMonitor({
          id: `m${i}`,
          node,
          managerNodeId: pubkeyFromPrivkey(NODE_SECRET),
          startHeight,
          pollIntervalMs: options.pollIntervalMs ?? 100,
        });
        cleanups.push(() => monitor.stop());
        monitors.push(monitor);
      }
      const manager = await startManagerSide({
        nodeSecret: NODE_SECRET,
        monitors: monitors.map((m) => ({ id: m.id, address: m.address, monitorId: m.running.monitorId })),
        ...(options.quorum === undefined ? {} : { quorum: options.quorum }),
      });
      // Before the monitors stop, so the sessions do not reconnect to them meanwhile.
      cleanups.push(() => manager.close());
      const fundingSat = options.fundingSat ?? 1_000_000n;
      const funding = await regtestFunding(node, fundingSat);
      const pair = ChannelPair.upToFundingCreated({
        openerWatch: manager.watch,
        fundingSat,
        ...(options.pushMsat === undefined ? {} : { pushMsat: options.pushMsat }),
        fundingTx: (scriptPubKey, valueSat) => funding.build(scriptPubKey, valueSat),
      });
      const fundingTx = await openFrozen(pair, manager.durable, (tx) => funding.confirm(tx));
      return new EnforcementScenario(node, monitors, manager, pair, fundingTx, startHeight, cleanups);
    } catch (e) {
      await closeAll(cleanups);
      throw e;
    }
  }

  /** The holder, whose monitors the scenario tests. */
  get a(): Peer {
    return this.pair.a;
  }

  /** The counterparty. */
  get b(): Peer {
    return this.pair.b;
  }

  /** Every event the manager handled, once each however many monitors reported it. */
  get events(): readonly MonitorEvent[] {
    return this.manager.events;
  }

  /** `from` pays `amountMsat` to the other side; returns once every update is durable. */
  async pay(from: Peer, amountMsat: bigint): Promise<void> {
    const n = this.nextPayment++;
    await payFrozen(this.pair, this.manager.durable, from, amountMsat, n);
  }

  /** `from` offers an HTLC committed on both sides (every update durable) and left pending. */
  async addHtlc(from: Peer, amountMsat: bigint, cltvExpiry: number): Promise<PendingHtlc> {
    const n = this.nextPayment++;
    const { preimage, paymentHash } = payment(n);
    const htlcId = this.pair.addCommitted(from, amountMsat, n, cltvExpiry);
    await settle(this.pair, this.manager.durable);
    if (from === this.a) this.preimagesOfB.set(toHex(paymentHash), preimage);
    return { htlcId, paymentHash, preimage };
  }

  /**
   * B's current commitment, fully signed, and its HTLC transactions signed with B's preimages
   * (those its monitor holds and those of every HTLC A offered it): what a cheating B could
   * broadcast later, once it has revoked this commitment.
   */
  snapshotCounterpartyCommitment(): CounterpartySnapshot {
    return snapshotCounterpartyCommitment(this.b, this.preimagesOfB);
  }

  /** Submits `tx` to the node's mempool; rejects with the node's reason. Returns its txid. */
  broadcast(tx: Transaction): Promise<string> {
    return this.node.rpc.call<string>('sendrawtransaction', txHex(tx));
  }

  /** Mines `count` blocks (what the mempool holds goes into the first). */
  async mine(count: number): Promise<void> {
    await mine(this.node.rpc, count);
  }

  tipHeight(): Promise<number> {
    return height(this.node.rpc);
  }

  /** How deep `tx` is on the best chain (0: in the mempool or unknown). */
  confirmations(tx: Transaction): Promise<number> {
    return confirmations(this.node.rpc, tx);
  }

  /** Has every monitor process the chain up to the tip now (and run its after-poll work). */
  async pollMonitors(): Promise<void> {
    await Promise.all(this.monitors.map((m) => m.running.pollChain()));
  }

  /** What the chain paid A's destination script (where swept funds go) since the scenario started. */
  destinationBalance(): Promise<bigint> {
    return valuePaidTo(this.node.rpc, this.a.deps.destinationScript, this.startHeight + 1);
  }

  /** Stops everything and drops every database; idempotent. */
  close(): Promise<void> {
    return (this.closing ??= closeAll(this.cleanups));
  }
}

/** Runs `cleanups` newest first, each even if an earlier one failed; rethrows the first failure. */
async function closeAll(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  let failure: unknown;
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
}
