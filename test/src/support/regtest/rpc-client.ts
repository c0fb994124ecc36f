/**
 * The regtest tests' RPC access: calls go through the production client (shared/src/chain/
 * rpc-client.ts, the one that talks to bitcoind), rejecting with the node's code and message;
 * raw POSTs serve the protocol-level tests the production client cannot express.
 */
import type { RpcCredentials } from '@vigil/shared/chain/regtest/rpc-auth';
import { RpcClient as ProductionRpcClient, RpcError } from '@vigil/shared/chain/rpc-client';

export class RpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export class RpcClient {
  private readonly client: ProductionRpcClient;

  constructor(
    readonly url: string,
    readonly credentials: RpcCredentials,
  ) {
    this.client = new ProductionRpcClient({ url, auth: credentials, retries: 0 });
  }

  get authorization(): string {
    return `Basic ${Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64')}`;
  }

  /** Calls `method`; rejects with RpcCallError when the reply carries an error. */
  async call<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    try {
      return await this.client.call<T>(method, params);
    } catch (e) {
      if (e instanceof RpcError) throw new RpcCallError(e.code, e.rpcMessage);
      throw e;
    }
  }

  /** The error a call fails with (the test fails if it succeeds). */
  async callError(method: string, ...params: unknown[]): Promise<RpcCallError> {
    try {
      await this.call(method, ...params);
    } catch (e) {
      if (e instanceof RpcCallError) return e;
      throw e;
    }
    throw new Error(`${method} was expected to fail`);
  }

  /** POSTs `body` as JSON and returns the parsed reply. */
  async post(body: unknown): Promise<unknown> {
    return JSON.parse((await this.raw(JSON.stringify(body))).text);
  }

  /** POSTs `text` as is. */
  async raw(
    text: string,
    init: { method?: string; authorization?: string | null } = {},
  ): Promise<RawResponse> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const authorization = init.authorization === undefined ? this.authorization : init.authorization;
    if (authorization !== null) headers['Authorization'] = authorization;
    const method = init.method ?? 'POST';
    const response = await fetch(
      this.url,
      method === 'GET' ? { method, headers } : { method, headers, body: text },
    );
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
}
