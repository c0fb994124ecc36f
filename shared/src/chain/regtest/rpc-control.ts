/**
 * Node control RPCs: bitcoind's `stop`, `setmocktime` and `getnetworkinfo` (enough for clients
 * that check the server version and relay fee), and vigil's `faucet <address> <amount_btc>`, which
 * pays from the node's own matured coins with a signed transaction through the mempool and returns
 * its txid.
 */
import { ValidationError } from '../../errors.js';
import { InsufficientFundsError } from './faucet-wallet.js';
import { btc } from './json.js';
import { TxRejection } from './rejections.js';
import {
  RPC_INVALID_PARAMETER,
  RPC_TYPE_ERROR,
  RPC_WALLET_INSUFFICIENT_FUNDS,
  RpcError,
} from './rpc-errors.js';
import { scriptOfAddress, txRejectionError, type RpcMethodTable } from './rpc-method.js';

/** What getnetworkinfo reports: the bitcoind release whose behaviour the node follows. */
const EMULATED_VERSION = 270000;
const SUBVERSION = '/vigil-regtest:0.1.0/';
const PROTOCOL_VERSION = 70016;

export const controlMethods: RpcMethodTable = {
  stop: {
    params: [],
    run: (_args, { requestStop }) => {
      requestStop();
      return 'vigil-regtest stopping';
    },
  },

  setmocktime: {
    params: [{ name: 'timestamp', type: 'number', required: true }],
    run: (args, { node }) => {
      const time = args.int(0);
      if (time < 0) throw new RpcError(RPC_INVALID_PARAMETER, `Mocktime cannot be negative: ${time}.`);
      try {
        node.setMockTime(time);
      } catch (e) {
        if (e instanceof ValidationError) throw new RpcError(RPC_INVALID_PARAMETER, e.message);
        throw e;
      }
      return null;
    },
  },

  getnetworkinfo: {
    params: [],
    run: (_args, { node }) => ({
      version: EMULATED_VERSION,
      subversion: SUBVERSION,
      protocolversion: PROTOCOL_VERSION,
      localservices: '0000000000000409',
      localservicesnames: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED'],
      localrelay: true,
      timeoffset: 0,
      networkactive: true,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      networks: [],
      relayfee: btc(node.policy.minRelayFeeRate),
      incrementalfee: btc(node.policy.incrementalRelayFeeRate),
      localaddresses: [],
      warnings: '',
    }),
  },

  faucet: {
    params: [
      { name: 'address', type: 'string', required: true },
      { name: 'amount', type: 'amount', required: true },
    ],
    run: (args, { node }) => {
      const script = scriptOfAddress(args.string(0), 'Invalid address');
      const amount = args.amount(1);
      if (amount <= 0n) throw new RpcError(RPC_TYPE_ERROR, 'Invalid amount for send');
      try {
        return node.faucet(script, amount);
      } catch (e) {
        if (e instanceof InsufficientFundsError)
          throw new RpcError(RPC_WALLET_INSUFFICIENT_FUNDS, 'Insufficient funds');
        if (e instanceof TxRejection) throw txRejectionError(e);
        throw e;
      }
    },
  },
};
