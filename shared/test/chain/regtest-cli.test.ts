/**
 * `vigil-regtest` command-line options: defaults (bitcoind's regtest port, a cookie file when no
 * user is given), BTC/kvB feerates parsed exactly, and bad input refused naming the flag.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RPC_PORT, parseCliOptions } from '../../src/chain/regtest/cli-options.js';
import { ValidationError } from '../../src/errors.js';
import { expectVigilError } from '../helpers.js';

describe('vigil-regtest options', () => {
  it('defaults to port 18443 and a cookie file', () => {
    expect(parseCliOptions([])).toEqual({
      help: false,
      node: {},
      rpc: { port: DEFAULT_RPC_PORT, auth: { cookieFile: join(tmpdir(), 'vigil-regtest', '.cookie') } },
    });
  });

  it('reads every flag', () => {
    const options = parseCliOptions([
      '--port=0',
      '--rpc-user',
      'alice',
      '--rpc-password',
      'secret',
      '--initial-blocks',
      '150',
      '--min-relay-fee',
      '0.00002',
      '--mempool-min-fee',
      '0.0001',
      '--fee-estimate-floor',
      '0.00005',
      '--full-rbf',
      '--mock-time',
      '1700000000',
      '--max-body-bytes',
      '1000000',
    ]);
    expect(options).toEqual({
      help: false,
      node: {
        initialBlocks: 150,
        minRelayFeeRate: 2000n,
        mempoolMinFeeRate: 10_000n,
        feeEstimateFloor: 5000n,
        fullRbf: true,
        mockTime: 1_700_000_000,
      },
      rpc: { port: 0, maxBodyBytes: 1_000_000, auth: { user: 'alice', password: 'secret' } },
    });
  });

  it('refuses bad values naming the flag, and unknown flags', () => {
    expectVigilError(() => parseCliOptions(['--port=70000']), ValidationError, '--port');
    expectVigilError(() => parseCliOptions(['--initial-blocks', 'ten']), ValidationError, '--initial-blocks');
    expectVigilError(() => parseCliOptions(['--min-relay-fee', '1e-9']), ValidationError, '--min-relay-fee');
    expectVigilError(() => parseCliOptions(['--verbose']), ValidationError, 'arguments');
  });

  it('asks for help', () => {
    expect(parseCliOptions(['--help']).help).toBe(true);
  });
});
