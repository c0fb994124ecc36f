/**
 * What a monitor submitted to the chain: a loopback HTTP proxy in front of the chain's JSON-RPC,
 * one per monitor (its VIGIL_MONITOR_BITCOIND_URL), that forwards every request and response as
 * they are and notes each `sendrawtransaction` (the txid, and whether the node accepted it or
 * already knew it). A monitor logs only the claims the node accepted; one that broadcast a claim
 * another monitor had broadcast first shows up here. (The demo used to read that from the
 * monitor's `enforcement_claims` table, which takes a second connection to its database: an
 * embedded PGlite database serves one, the monitor's.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { decodeTx, txidHex } from '@vigil/shared/bitcoin/tx';
import { fromHex } from '@vigil/shared/bytes';
import { RPC_VERIFY_ALREADY_IN_CHAIN } from '@vigil/shared/chain/regtest/rpc-errors';

/** One `sendrawtransaction` the monitor made. */
export interface RecordedBroadcast {
  /** Display order. */
  readonly txid: string;
  /** When the node answered, epoch ms. */
  readonly timeMs: number;
  /** `accepted`, `already known`, or the node's error message. */
  readonly answer: string;
}

export class BroadcastRecorder {
  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>/`, for the monitor. */
    readonly url: string,
    /** Every `sendrawtransaction` so far, in the order the node answered them. */
    readonly broadcasts: readonly RecordedBroadcast[],
  ) {}

  /** Starts a proxy to the JSON-RPC server at `target` (`http://host:port/`). */
  static async start(target: string): Promise<BroadcastRecorder> {
    const broadcasts: RecordedBroadcast[] = [];
    const server = createServer((request, response) => {
      forward(target, request, response, (b) => broadcasts.push(b)).catch((e: unknown) => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`vigil demo proxy: ${e instanceof Error ? e.message : String(e)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    return new BroadcastRecorder(server, `http://127.0.0.1:${address.port}/`, broadcasts);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function forward(
  target: string,
  request: IncomingMessage,
  response: ServerResponse,
  record: (broadcast: RecordedBroadcast) => void,
): Promise<void> {
  const body = await readBody(request);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (request.headers.authorization !== undefined) headers['authorization'] = request.headers.authorization;
  // The monitor calls the proxy's root: that is the target itself (whatever its path).
  const url = request.url === undefined || request.url === '/' ? target : new URL(request.url, target);
  const answer = await fetch(url, {
    method: request.method ?? 'POST',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const text = await answer.text();
  response.writeHead(answer.status, {
    'content-type': answer.headers.get('content-type') ?? 'application/json',
  });
  response.end(text);
  const broadcast = recorded(body, text);
  if (broadcast !== undefined) record(broadcast);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The broadcast in a `sendrawtransaction` request and its answer; undefined for anything else. */
function recorded(body: Buffer, answer: string): RecordedBroadcast | undefined {
  try {
    const call = JSON.parse(body.toString('utf8')) as { method?: unknown; params?: unknown };
    if (call.method !== 'sendrawtransaction' || !Array.isArray(call.params)) return undefined;
    const hex = call.params[0];
    if (typeof hex !== 'string') return undefined;
    const reply = JSON.parse(answer) as { error?: { code?: number; message?: string } | null };
    const error = reply.error ?? undefined;
    return {
      txid: txidHex(decodeTx(fromHex(hex))),
      timeMs: Date.now(),
      answer:
        error === undefined
          ? 'accepted'
          : ALREADY_KNOWN.test(error.message ?? '') || error.code === RPC_VERIFY_ALREADY_IN_CHAIN
            ? 'already known'
            : (error.message ?? `error ${error.code}`),
    };
  } catch {
    return undefined;
  }
}

/** bitcoind's answers for a transaction it has (bitcoind-source.ts maps them to `already-known`). */
const ALREADY_KNOWN = /^txn-already-(in-mempool|known)/;
