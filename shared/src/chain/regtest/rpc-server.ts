/**
 * The JSON-RPC server over HTTP on loopback, after bitcoind's httpserver/httprpc: POST only, basic
 * auth (401 with `WWW-Authenticate: Basic realm="jsonrpc"`), a body limit (413 beyond it), a parse
 * error (-32700) for bad JSON, single requests and batches (arrays). Requests are handled one at a
 * time to completion, and nothing a client sends can stop the server: every failure becomes a reply.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringifyJson } from './json.js';
import type { RegtestNode } from './node.js';
import { RpcAuth, type RpcAuthOptions, type RpcCredentials } from './rpc-auth.js';
import { errorReply, handleRequest, type RpcReply } from './rpc-dispatch.js';
import { RPC_INTERNAL_ERROR, RPC_PARSE_ERROR, RpcError } from './rpc-errors.js';
import type { RpcContext } from './rpc-method.js';

/** bitcoind's MAX_SIZE, the largest HTTP body it reads (32 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 0x0200_0000;
const LOOPBACK = '127.0.0.1';

export interface RpcServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly auth?: RpcAuthOptions;
  readonly maxBodyBytes?: number;
  /** Called after the reply to a `stop` request has been sent. */
  readonly onStopRequested?: () => void;
}

export class RegtestRpcServer {
  private stopRequested = false;

  private constructor(
    private readonly node: RegtestNode,
    private readonly server: Server,
    private readonly auth: RpcAuth,
    private readonly options: RpcServerOptions,
  ) {}

  /** Starts serving `node`; resolves once listening. */
  static async start(node: RegtestNode, options: RpcServerOptions = {}): Promise<RegtestRpcServer> {
    const auth = await RpcAuth.create(options.auth);
    const server = createServer();
    const rpc = new RegtestRpcServer(node, server, auth, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => rpc.onRequest(req, res));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return rpc;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>/`, without credentials. */
  get url(): string {
    return `http://${this.options.host ?? LOOPBACK}:${this.port}/`;
  }

  /** Credentials clients can use (the configured user, else the cookie). */
  get credentials(): RpcCredentials {
    return this.auth.credentials;
  }

  /** Stops listening, drops open connections and deletes the cookie file. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.auth.dispose();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', () => res.destroy());
    res.on('error', () => req.destroy());
    if (req.method !== 'POST') return sendText(res, 405, 'JSONRPC server handles only POST requests');
    if (!this.auth.check(req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Length': 0 });
      res.end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/' && !path.startsWith('/wallet/')) return sendText(res, 404, '');
    const limit = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return rejectOversized(req, res);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) rejectOversized(req, res);
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (received <= limit) this.respond(res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private respond(res: ServerResponse, text: string): void {
    try {
      const reply = this.replyTo(text);
      if (this.stopRequested)
        res.on('finish', () => (this.options.onStopRequested ?? (() => void this.close()))());
      if (reply === undefined) sendText(res, 204, '');
      else sendJson(res, reply);
    } catch (e) {
      // Only a bug gets here (handlers' errors are replies already); answer, and keep serving.
      console.error('vigil-regtest: internal error', e);
      if (!res.headersSent)
        sendJson(res, errorReply('legacy', null, new RpcError(RPC_INTERNAL_ERROR, 'Internal error')));
    }
  }

  /** The reply to a request body; undefined when it was a lone notification. */
  private replyTo(text: string): RpcReply | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return errorReply('legacy', null, new RpcError(RPC_PARSE_ERROR, 'Parse error'));
    }
    const ctx: RpcContext = { node: this.node, requestStop: () => (this.stopRequested = true) };
    if (Array.isArray(parsed)) {
      return { body: parsed.flatMap((request) => handleRequest(request, ctx)?.body ?? []), status: 200 };
    }
    if (parsed !== null && typeof parsed === 'object') return handleRequest(parsed, ctx);
    return errorReply('legacy', null, new RpcError(RPC_PARSE_ERROR, 'Top-level object parse error'));
  }
}

function sendJson(res: ServerResponse, reply: RpcReply): void {
  const text = `${stringifyJson(reply.body)}\n`;
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** 413, then the connection is closed so the rest of the body is never read. */
function rejectOversized(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) {
    res.writeHead(413, { Connection: 'close', 'Content-Length': 0 });
    res.end(() => req.socket.destroy());
  }
}
