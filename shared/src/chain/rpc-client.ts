/**
 * A JSON-RPC client for bitcoind (and vigil-regtest, which serves the same subset): HTTP basic
 * auth from a user/password or bitcoind's cookie file, a timeout per request, retries with
 * exponential backoff on transport failures (never on an RPC error, which is an answer), and
 * batch calls.
 *
 * Credentials are never put in errors or logs.
 */
import { readFileSync } from 'node:fs';
import { VigilError } from '../errors.js';

export type RpcAuth = { readonly user: string; readonly password: string } | { readonly cookieFile: string };

export interface RpcClientOptions {
  readonly url: string;
  readonly auth?: RpcAuth;
  /** Per request; default 30 s. */
  readonly timeoutMs?: number;
  /** Attempts after the first on transport failure; default 3. */
  readonly retries?: number;
  /** First backoff delay, doubled each retry; default 200 ms. */
  readonly backoffMs?: number;
}

/** bitcoind answered with an error object: `code` is bitcoind's RPC error code. */
export class RpcError extends VigilError {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`rpc.${method}`, `error ${code}: ${message}`);
  }

  /** bitcoind's message without the code prefix. */
  get rpcMessage(): string {
    return this.problem.replace(/^error -?\d+: /, '');
  }
}

/** The node could not be reached or answered with something that is not JSON-RPC. */
export class RpcTransportError extends VigilError {}

/** The node refused the credentials (HTTP 401/403); retrying cannot help. */
export class RpcAuthError extends VigilError {}

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

interface RpcResponse {
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string } | null;
  readonly id?: unknown;
}

function authHeader(auth: RpcAuth | undefined): string | undefined {
  if (auth === undefined) return undefined;
  // The cookie is re-read on every call: bitcoind writes a new one at each start.
  const credentials =
    'cookieFile' in auth ? readFileSync(auth.cookieFile, 'utf8').trim() : `${auth.user}:${auth.password}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RpcClient {
  private nextId = 1;

  constructor(private readonly options: RpcClientOptions) {}

  /** Calls one method; an RPC error throws RpcError. */
  async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    const id = this.nextId++;
    const body = await this.post(method, { jsonrpc: '1.0', id, method, params });
    return resultOf<T>(method, body as RpcResponse);
  }

  /**
   * Calls several methods in one HTTP request. Each entry is the result, or the RpcError of that
   * call: one failed call does not fail the others.
   */
  async batch(calls: readonly RpcCall[]): Promise<(unknown | RpcError)[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = await this.post(
      'batch',
      calls.map((c, i) => ({ jsonrpc: '1.0', id: first + i, method: c.method, params: c.params })),
    );
    if (!Array.isArray(body)) throw new RpcTransportError('rpc.batch', 'expected an array of responses');
    const byId = new Map((body as RpcResponse[]).map((r) => [r.id, r]));
    return calls.map((c, i) => {
      const response = byId.get(first + i);
      if (response === undefined) return new RpcTransportError(`rpc.${c.method}`, 'no response in the batch');
      try {
        return resultOf(c.method, response);
      } catch (e) {
        if (e instanceof RpcError) return e;
        throw e;
      }
    });
  }

  private async post(method: string, payload: unknown): Promise<unknown> {
    const retries = this.options.retries ?? 3;
    let delay = this.options.backoffMs ?? 200;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.postOnce(method, payload);
      } catch (e) {
        if (!(e instanceof RpcTransportError) || attempt >= retries) throw e;
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  private async postOnce(method: string, payload: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = authHeader(this.options.auth);
    if (auth !== undefined) headers['authorization'] = auth;
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new RpcTransportError(`rpc.${method}`, `request failed: ${(e as Error).message}`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new RpcAuthError(`rpc.${method}`, `HTTP ${response.status}: the node refused the credentials`);
    }
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      // bitcoind answers 503 while its work queue is full: that is worth retrying.
      throw new RpcTransportError(`rpc.${method}`, `HTTP ${response.status} with a non-JSON body`);
    }
  }
}

function resultOf<T>(method: string, response: RpcResponse): T {
  if (typeof response !== 'object' || response === null) {
    throw new RpcTransportError(`rpc.${method}`, 'expected a JSON-RPC response object');
  }
  if (response.error !== undefined && response.error !== null) {
    throw new RpcError(method, response.error.code, response.error.message);
  }
  return response.result as T;
}
