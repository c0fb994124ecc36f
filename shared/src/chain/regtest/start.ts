/**
 * vigil-regtest as one unit: a node and its JSON-RPC server, started together and stopped together
 * (what tests embed in-process and what the CLI runs).
 */
import { RegtestNode, type RegtestNodeOptions } from './node.js';
import type { RpcCredentials } from './rpc-auth.js';
import { RegtestRpcServer, type RpcServerOptions } from './rpc-server.js';

export interface RegtestOptions extends RegtestNodeOptions {
  readonly rpc?: RpcServerOptions;
}

export interface RunningRegtest {
  readonly node: RegtestNode;
  readonly server: RegtestRpcServer;
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly credentials: RpcCredentials;
  /** Closes the server (and deletes its cookie file). */
  stop(): Promise<void>;
}

/** Creates the node (mining its initial blocks) and starts serving it. */
export async function startRegtest(options: RegtestOptions = {}): Promise<RunningRegtest> {
  const node = new RegtestNode(options);
  const server = await RegtestRpcServer.start(node, options.rpc);
  return {
    node,
    server,
    url: server.url,
    credentials: server.credentials,
    stop: () => server.close(),
  };
}
