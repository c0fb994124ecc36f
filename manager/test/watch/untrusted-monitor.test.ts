/**
 * MonitorSession against a monitor that lies: a real gRPC server on loopback speaking the Session
 * protocol, which acks every frame PERSISTED but with a state hash other than the manager's, or
 * with a receipt its identity key did not sign. Neither ack may count toward the quorum: the
 * channel is reported diverged with the reason, and nothing becomes durable.
 */
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { addService } from '@vigil/proto/grpc-bridge';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { toHex } from '@vigil/shared/bytes';
import { migrate } from '@vigil/shared/db/migrate';
import { encodeChannelMonitor, fromProtoChannelMonitor } from '@vigil/shared/monitor-model/proto-codec';
import { signReceipt, stateHash } from '@vigil/shared/monitor-model/receipt';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { createTestDatabase } from '@vigil/test/support/test-database';
import { eventually } from '@vigil/test/support/wait';
import { afterAll, describe, expect, it } from 'vitest';
import { managerMigrations } from '../../src/store/migrations.js';
import { EventInbox } from '../../src/watch/event-inbox.js';
import { MonitorSession } from '../../src/watch/monitor-session.js';
import { RemoteWatch } from '../../src/watch/remote-watch.js';

const NODE_SECRET = new Uint8Array(32).fill(0x61);
const MONITOR_SECRET = new Uint8Array(32).fill(0x62);
const IMPOSTOR_SECRET = new Uint8Array(32).fill(0x63);
const monitorId = pubkeyFromPrivkey(MONITOR_SECRET);

type Lie = 'stateHash' | 'receipt';

/** A Session server that welcomes anyone and acks each WatchChannel with `lie`. */
async function lyingMonitor(lie: Lie): Promise<{ address: string; close: () => void }> {
  const server = new grpc.Server();
  addService(server, pb.MonitorService, {
    getStatus: (_call, callback) => callback(null, { monitorId, serving: true }),
    session: (call) => {
      call.on('data', (received) => {
        if (!received.ok) return;
        const frame = received.message.frame;
        if (frame.case === 'hello') {
          call.write({
            frame: { case: 'welcome', value: { monitorId, limits: { maxUpdatesInFlight: 4 } } },
          });
        }
        if (frame.case === 'watchChannel' && frame.value.monitor.case === 'snapshot') {
          const monitor = fromProtoChannelMonitor(frame.value.monitor.value);
          const truth = stateHash(encodeChannelMonitor(monitor));
          const claimed = lie === 'stateHash' ? new Uint8Array(32).fill(0xee) : truth;
          const fields = {
            nodeId: pubkeyFromPrivkey(NODE_SECRET),
            channelId: monitor.channelId,
            updateId: 0n,
            stateHash: claimed,
          };
          const signer = lie === 'receipt' ? IMPOSTOR_SECRET : MONITOR_SECRET;
          call.write({
            frame: {
              case: 'updateAck',
              value: {
                channelId: monitor.channelId,
                updateId: 0n,
                status: pb.UpdateStatus.PERSISTED,
                stateHash: claimed,
                receipt: signReceipt(signer, fields),
              },
            },
          });
        }
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e === null ? resolve(p) : reject(e),
    ),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}

describe('MonitorSession with a monitor whose acks do not prove the state', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const cases: [Lie, RegExp][] = [
    [
      'stateHash',
      /^updateAck\.stateHash: e{64} after update 0, but the manager's state hashes to [0-9a-f]{64}$/,
    ],
    ['receipt', /^updateAck\.receipt: not the monitor's signature over update 0$/],
  ];
  for (const [lie, detail] of cases) {
    it(`does not count an ack with a false ${lie}, and reports the channel diverged`, async () => {
      const monitor = await lyingMonitor(lie);
      cleanups.push(monitor.close);
      const db = await createTestDatabase();
      cleanups.push(() => db.drop());
      await migrate(db.sql, managerMigrations);
      const durable: number[] = [];
      const watch = await RemoteWatch.open({
        sql: db.sql,
        monitorIds: ['liar'],
        quorum: 1,
        onDurable: (_channelId, updateId) => durable.push(updateId),
      });
      const session = MonitorSession.start({
        id: 'liar',
        address: monitor.address,
        monitorId,
        nodeSecret: NODE_SECRET,
        watch,
        events: new EventInbox(db.sql, async () => {}),
        backoff: { initialMs: 20, maxMs: 200 },
      });
      cleanups.push(() => session.close());

      const fx = new ChannelFixture();
      watch.watchChannel(fx.init());
      await watch.flush();
      await eventually(() => session.health().channels[0]?.state === 'diverged', 'the channel to diverge');
      expect(session.health().channels[0]).toMatchObject({ position: undefined, lag: 1 });
      expect(session.health().channels[0]!.detail).toMatch(detail);
      expect(durable).toEqual([]);
      const positions = await db.sql`SELECT * FROM watch_monitor_positions`;
      expect(positions).toHaveLength(0);
      expect(toHex(session.health().channels[0]!.channelId)).toBe(toHex(fx.channelId));
    });
  }
});
