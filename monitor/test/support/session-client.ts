/**
 * A test client of MonitorService.Session over a real socket: frames in arrival order, the final
 * status, and helpers for the frames a manager sends. `openSession` speaks through the typed
 * grpc-js bridge; `openRawSession` writes raw bytes, to send frames that do not parse.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { createClient, methodPath } from '@vigil/proto/grpc-bridge';
import type { ChannelMonitor, CounterpartyCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import type { ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import {
  toProtoChannelMonitor,
  toProtoChannelMonitorInit,
  toProtoChannelMonitorUpdate,
  toProtoCounterpartyCommitment,
} from '@vigil/shared/monitor-model/proto-codec';
import { expect } from 'vitest';
import { signHello } from '@vigil/shared/monitor-model/hello';

export type ClientFrameInit = pb.MessageInitShape<typeof pb.ClientFrameSchema>;

type ServerCase = NonNullable<pb.ServerFrame['frame']['case']>;
type ServerValue<K extends ServerCase> = Extract<pb.ServerFrame['frame'], { case: K }>['value'];

const FRAME_TIMEOUT_MS = 10_000;

export class TestSession<In> {
  readonly #frames: pb.ServerFrame[] = [];
  #wake: (() => void) | undefined;
  #ended: grpc.StatusObject | undefined;
  /** The status the stream ended with. */
  readonly status: Promise<grpc.StatusObject>;

  constructor(
    private readonly call: grpc.ClientDuplexStream<In, pb.ServerFrame>,
    private readonly close: () => void,
  ) {
    call.on('data', (frame: pb.ServerFrame) => {
      this.#frames.push(frame);
      this.#wake?.();
    });
    // A non-OK status is also emitted as 'error'; the status promise reports it.
    call.on('error', () => {});
    this.status = new Promise((resolve) =>
      call.on('status', (status: grpc.StatusObject) => {
        this.#ended = status;
        this.#wake?.();
        resolve(status);
      }),
    );
  }

  write(frame: In): void {
    this.call.write(frame);
  }

  /** The next frame; fails if the stream ends or none arrives in time. */
  async next(): Promise<pb.ServerFrame> {
    const deadline = Date.now() + FRAME_TIMEOUT_MS;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return frame;
      if (this.#ended !== undefined) {
        throw new Error(
          `stream ended (${grpc.status[this.#ended.code]}: ${this.#ended.details}) with no frame`,
        );
      }
      if (Date.now() > deadline) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  /** The next frame, which must be of `kind`. */
  async nextOf<K extends ServerCase>(kind: K): Promise<ServerValue<K>> {
    const frame = (await this.next()).frame;
    expect(frame.case, `expected a ${kind} frame, got ${JSON.stringify(frame.case)}`).toBe(kind);
    return frame.value as unknown as ServerValue<K>;
  }

  /** The next `count` frames, which must all be UpdateAcks, in arrival order. */
  async nextAcks(count: number): Promise<pb.UpdateAck[]> {
    const acks: pb.UpdateAck[] = [];
    while (acks.length < count) acks.push(await this.nextOf('updateAck'));
    return acks;
  }

  /** Expects an Error frame then the stream to end with the same code; returns the message. */
  async expectEnd(code: grpc.status): Promise<string> {
    const error = await this.nextOf('error');
    const status = await this.status;
    expect({ code: status.code, details: status.details }).toEqual({
      code: error.code,
      details: error.message,
    });
    expect(grpc.status[status.code]).toBe(grpc.status[code]);
    return status.details;
  }

  /** Frames received and not read yet. */
  get unread(): number {
    return this.#frames.length;
  }

  end(): void {
    this.call.end();
  }

  /** Half-closes and waits for the server to end the stream, having handled every frame sent. */
  async finish(): Promise<grpc.StatusObject> {
    this.call.end();
    const status = await this.status;
    this.close();
    return status;
  }

  dispose(): void {
    this.call.cancel();
    this.close();
  }
}

export function openSession(
  address: string,
  credentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
) {
  const client = createClient(pb.MonitorService, address, credentials, options);
  return new TestSession<ClientFrameInit>(client.session(), () => client.channel.close());
}

export function openRawSession(address: string): TestSession<Uint8Array> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(
    methodPath(pb.MonitorService.method.session),
    (bytes: Uint8Array) => Buffer.from(bytes),
    (bytes: Buffer) => pb.fromBinary(pb.ServerFrameSchema, bytes),
  );
  return new TestSession(call, () => client.close());
}

export interface HelloOptions {
  readonly timestampMs?: bigint;
  readonly nonce?: Uint8Array;
}

export function helloFrame(
  nodeSecret: Uint8Array,
  monitorId: Uint8Array,
  options: HelloOptions = {},
): ClientFrameInit {
  const hello = signHello(
    nodeSecret,
    monitorId,
    options.timestampMs ?? BigInt(Date.now()),
    options.nonce ?? new Uint8Array(randomBytes(32)),
  );
  return { frame: { case: 'hello', value: hello } };
}

/** A session past its Welcome. */
export async function connect(
  address: string,
  nodeSecret: Uint8Array,
  monitorId: Uint8Array,
): Promise<{ session: TestSession<ClientFrameInit>; welcome: pb.Welcome }> {
  const session = openSession(address);
  session.write(helloFrame(nodeSecret, monitorId));
  return { session, welcome: await session.nextOf('welcome') };
}

export const updateFrame = (update: ChannelMonitorUpdate): ClientFrameInit => ({
  frame: { case: 'update', value: toProtoChannelMonitorUpdate(update) },
});

export const watchInitFrame = (init: ChannelMonitorInit): ClientFrameInit => ({
  frame: {
    case: 'watchChannel',
    value: { monitor: { case: 'init', value: toProtoChannelMonitorInit(init) } },
  },
});

export const watchSnapshotFrame = (
  monitor: ChannelMonitor,
  records: readonly CounterpartyCommitment[] = [],
): ClientFrameInit => ({
  frame: {
    case: 'watchChannel',
    value: {
      monitor: { case: 'snapshot', value: toProtoChannelMonitor(monitor) },
      counterpartyCommitments: records.map((r) => toProtoCounterpartyCommitment(r)),
    },
  },
});

export const eventAckFrame = (sequence: bigint): ClientFrameInit => ({
  frame: { case: 'eventAck', value: { sequence } },
});

/** Sends `frame` and returns the UpdateAck that answers it. */
export async function send(
  session: TestSession<ClientFrameInit>,
  frame: ClientFrameInit,
): Promise<pb.UpdateAck> {
  session.write(frame);
  return session.nextOf('updateAck');
}
