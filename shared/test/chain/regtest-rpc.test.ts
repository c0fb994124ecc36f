/**
 * vigil-regtest's JSON-RPC server over HTTP: authentication (user/password and cookie file), the
 * JSON-RPC 1.0 and 2.0 reply shapes and HTTP statuses, batches and notifications, bitcoind's error
 * codes for unknown methods, bad parameters, malformed JSON and oversized bodies, result shapes of
 * the chain RPCs, and a fuzzed stream of bad requests the server must survive.
 */
import { readFile, stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { blockHashHex, decodeBlock, decodeBlockHeader } from '../../src/bitcoin/block.js';
import { fromHex } from '../../src/bytes.js';
import { startRegtest } from '../../src/chain/regtest/start.js';
import { loadVectors } from '../vectors.js';
import { startTestNode, type TestNode } from '@vigil/test/support/regtest/regtest-fixture';
import { RpcClient } from '@vigil/test/support/regtest/rpc-client';

const MAX_BODY_BYTES = 64 * 1024;
const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

let node: TestNode;
let rpc: RpcClient;

beforeAll(async () => {
  node = await startTestNode({ rpc: { maxBodyBytes: MAX_BODY_BYTES } });
  rpc = node.rpc;
});

afterAll(() => node.regtest.stop());

async function postJson(body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await rpc.raw(JSON.stringify(body));
  return { status: response.status, json: response.text === '' ? undefined : JSON.parse(response.text) };
}

describe('authentication', () => {
  it('answers 401 with a basic-auth challenge without or with wrong credentials', async () => {
    const body = JSON.stringify({ method: 'getblockcount', id: 1 });
    for (const authorization of [
      null,
      `Basic ${Buffer.from('vigil:wrong').toString('base64')}`,
      'Bearer x',
    ]) {
      const response = await rpc.raw(body, { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="jsonrpc"');
    }
    expect((await rpc.raw(body)).status).toBe(200);
  });

  it('writes a bitcoind-style cookie file, accepts it, and deletes it on stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-regtest-'));
    const cookieFile = join(dir, '.cookie');
    const regtest = await startRegtest({ initialBlocks: 0, rpc: { port: 0, auth: { cookieFile } } });
    try {
      const cookie = await readFile(cookieFile, 'utf8');
      expect(cookie).toMatch(/^__cookie__:[0-9a-f]{64}$/);
      expect((await stat(cookieFile)).mode & 0o777).toBe(0o600);
      const [user, password] = cookie.split(':') as [string, string];
      expect(await new RpcClient(regtest.url, { user, password }).call('getblockcount')).toBe(0);
    } finally {
      await regtest.stop();
    }
    await expect(stat(cookieFile)).rejects.toThrow();
  });
});

describe('JSON-RPC protocol', () => {
  it('accepts only POST', async () => {
    const response = await rpc.raw('', { method: 'GET' });
    expect(response.status).toBe(405);
  });

  it('JSON-RPC 1.0: result and error both present; an unknown method is -32601 with HTTP 404', async () => {
    expect(await postJson({ method: 'getblockcount', params: [], id: 'a' })).toEqual({
      status: 200,
      json: { result: 101, error: null, id: 'a' },
    });
    expect(await postJson({ method: 'getnothing', id: 7 })).toEqual({
      status: 404,
      json: { result: null, error: { code: -32601, message: 'Method not found' }, id: 7 },
    });
  });

  it('JSON-RPC 2.0: one of result or error, always HTTP 200', async () => {
    expect(await postJson({ jsonrpc: '2.0', method: 'getblockcount', id: 1 })).toEqual({
      status: 200,
      json: { jsonrpc: '2.0', result: 101, id: 1 },
    });
    expect(await postJson({ jsonrpc: '2.0', method: 'getnothing', id: 2 })).toEqual({
      status: 200,
      json: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 2 },
    });
  });

  it('answers a 2.0 notification (no id) with 204 and no body', async () => {
    const response = await rpc.raw(JSON.stringify({ jsonrpc: '2.0', method: 'getblockcount' }));
    expect([response.status, response.text]).toEqual([204, '']);
  });

  it('reports malformed JSON as -32700 Parse error (HTTP 500, id null)', async () => {
    for (const text of ['{"method":', 'not json', '']) {
      const response = await rpc.raw(text);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toEqual({
        result: null,
        error: { code: -32700, message: 'Parse error' },
        id: null,
      });
    }
    expect((await postJson(5)).json).toMatchObject({
      error: { code: -32700, message: 'Top-level object parse error' },
    });
  });

  it('reports invalid request objects as -32600 (HTTP 400)', async () => {
    expect(await postJson({ id: 1 })).toEqual({
      status: 400,
      json: { result: null, error: { code: -32600, message: 'Missing method' }, id: 1 },
    });
    expect((await postJson({ method: 5, id: 1 })).json).toMatchObject({
      error: { message: 'Method must be a string' },
    });
    expect((await postJson({ method: 'getblockcount', params: 'x', id: 1 })).json).toMatchObject({
      error: { code: -32600, message: 'Params must be an array or object' },
    });
    expect((await postJson({ jsonrpc: '3.0', method: 'getblockcount', id: 1 })).json).toMatchObject({
      error: { code: -32600, message: 'JSON-RPC version not supported' },
    });
  });

  it('answers a batch with one reply per request, notifications left out, in order', async () => {
    const response = await postJson([
      { method: 'getblockcount', id: 1 },
      { method: 'getnothing', id: 2 },
      'not an object',
      { jsonrpc: '2.0', method: 'getblockcount' },
      { jsonrpc: '2.0', method: 'getblockhash', params: [0], id: 3 },
    ]);
    expect(response).toEqual({
      status: 200,
      json: [
        { result: 101, error: null, id: 1 },
        { result: null, error: { code: -32601, message: 'Method not found' }, id: 2 },
        { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
        { jsonrpc: '2.0', result: REGTEST_GENESIS_HASH, id: 3 },
      ],
    });
  });

  it('refuses a body above the limit with 413 and keeps serving', async () => {
    const big = JSON.stringify({ method: 'getblockcount', params: ['x'.repeat(MAX_BODY_BYTES)], id: 1 });
    expect((await rpc.raw(big)).status).toBe(413);
    expect(await rpc.call('getblockcount')).toBe(101);
  });
});

describe('parameters', () => {
  it('type errors are -3 "Wrong type passed" listing each position', async () => {
    const error = await rpc.callError('getblockhash', '1');
    expect([error.code, error.message]).toEqual([
      -3,
      'Wrong type passed:\n{\n    "Position 1 (height)": "JSON value of type string is not of expected type number"\n}',
    ]);
  });

  it('a wrong number of parameters is -1 with the usage line', async () => {
    const missing = await rpc.callError('getblockhash');
    expect([missing.code, missing.message]).toEqual([-1, 'getblockhash height']);
    const extra = await rpc.callError('getblock', REGTEST_GENESIS_HASH, 1, 2);
    expect([extra.code, extra.message]).toEqual([-1, 'getblock "blockhash" ( verbosity )']);
  });

  it('invalid values are -8, unknown blocks -5, with bitcoind messages', async () => {
    expect(await rpc.callError('getblockhash', 1_000_000)).toMatchObject({
      code: -8,
      message: 'Block height out of range',
    });
    expect(await rpc.callError('getblock', 'abc')).toMatchObject({
      code: -8,
      message: "blockhash must be of length 64 (not 3, for 'abc')",
    });
    expect(await rpc.callError('getblock', 'zz'.repeat(32))).toMatchObject({
      code: -8,
      message: `blockhash must be hexadecimal string (not '${'zz'.repeat(32)}')`,
    });
    expect(await rpc.callError('getblock', '00'.repeat(32))).toMatchObject({
      code: -5,
      message: 'Block not found',
    });
    expect(await rpc.callError('getblockhash', 1.5)).toMatchObject({
      code: -1,
      message: 'JSON integer out of range',
    });
    expect(await rpc.callError('sendrawtransaction', '00')).toMatchObject({
      code: -22,
      message: 'TX decode failed. Make sure the tx has at least one input.',
    });
    expect(await rpc.callError('estimatesmartfee', 0)).toMatchObject({
      code: -8,
      message: 'Invalid conf_target, must be between 1 and 1008',
    });
    expect(await rpc.callError('estimatesmartfee', 2, 'fast')).toMatchObject({ code: -8 });
    expect(await rpc.callError('getrawtransaction', '11'.repeat(32))).toMatchObject({
      code: -5,
      message: 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
    });
    const genesisCoinbase = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';
    expect(await rpc.callError('getrawtransaction', genesisCoinbase)).toMatchObject({ code: -5 });
  });

  it('accepts named parameters, aliases included, and refuses unknown names', async () => {
    expect(await rpc.post({ method: 'getblockhash', params: { height: 0 }, id: 1 })).toMatchObject({
      result: REGTEST_GENESIS_HASH,
    });
    const hash = await rpc.call<string>('getblockhash', 1);
    expect(
      await rpc.post({ method: 'getblock', params: { blockhash: hash, verbose: 0 }, id: 1 }),
    ).toMatchObject({
      result: expect.stringMatching(/^[0-9a-f]+$/),
    });
    expect(await rpc.post({ method: 'getblockhash', params: { depth: 0 }, id: 1 })).toMatchObject({
      error: { code: -8, message: 'Unknown named parameter depth' },
    });
  });
});

describe('chain RPC results', () => {
  it('getblockchaininfo describes the regtest chain', async () => {
    expect(await rpc.call('getblockchaininfo')).toEqual({
      chain: 'regtest',
      blocks: 101,
      headers: 101,
      bestblockhash: await rpc.call('getbestblockhash'),
      difficulty: 4.656542373906925e-10,
      time: expect.any(Number),
      mediantime: expect.any(Number),
      verificationprogress: 1,
      initialblockdownload: false,
      chainwork: (2 * 102).toString(16).padStart(64, '0'),
      size_on_disk: 0,
      pruned: false,
      warnings: '',
    });
  });

  it('getblock at verbosity 0, 1 and 2 and getblockheader agree, amounts written with 8 decimals', async () => {
    const hash = await rpc.call<string>('getblockhash', 1);
    const block = decodeBlock(fromHex(await rpc.call<string>('getblock', hash, 0)));
    expect(blockHashHex(block.header)).toBe(hash);
    const header = decodeBlockHeader(fromHex(await rpc.call<string>('getblockheader', hash, false)));
    expect(header).toEqual(block.header);
    expect(await rpc.call('getblock', hash)).toMatchObject({
      hash,
      confirmations: 101,
      height: 1,
      version: 0x2000_0000,
      versionHex: '20000000',
      previousblockhash: REGTEST_GENESIS_HASH,
      nextblockhash: await rpc.call('getblockhash', 2),
      bits: '207fffff',
      nTx: 1,
      tx: [expect.stringMatching(/^[0-9a-f]{64}$/)],
    });
    const raw = await rpc.raw(JSON.stringify({ method: 'getblock', params: [hash, 2], id: 1 }));
    expect(raw.text).toContain('"value":50.00000000');
    expect(raw.text).toContain('"value":0.00000000');
    expect(JSON.parse(raw.text).result.tx[0].vin[0]).toMatchObject({
      coinbase: '510101',
      sequence: 0xffff_ffff,
    });
  });

  it('estimatesmartfee answers in bitcoind shape, a 1-block target as 2, from the feerates just mined', async () => {
    // Start-up's last block holds the faucet's coin split, just above the 1 sat/vB floor.
    const tip = await rpc.call<string>('getbestblockhash');
    const split = (await rpc.call<{ tx: { fee: number; vsize: number }[] }>('getblock', tip, 2)).tx[1]!;
    const satPerKvb = Math.floor((Math.round(split.fee * 1e8) * 1000) / split.vsize);
    expect(satPerKvb).toBeGreaterThanOrEqual(1000);
    expect(await rpc.call('estimatesmartfee', 1)).toEqual({ feerate: satPerKvb / 1e8, blocks: 2 });
    expect(await rpc.call('estimatesmartfee', 6, 'ECONOMICAL')).toEqual({
      feerate: satPerKvb / 1e8,
      blocks: 6,
    });
  });

  it('getnetworkinfo reports the bitcoind version followed, help lists the methods', async () => {
    expect(await rpc.call('getnetworkinfo')).toMatchObject({ version: 270000, relayfee: 0.00001 });
    expect(await rpc.call('help')).toContain('getblock "blockhash" ( verbosity )');
    expect(await rpc.call('help', 'gettxout')).toBe('gettxout "txid" n ( include_mempool )');
  });

  it('decoderawtransaction prints the BOLT 3 funding transaction as bitcoind does', async () => {
    const vector = loadVectors<{ cases: { funding_tx: string; funding_txid: string }[] }>(
      'bolt03-funding.json',
    ).cases[0]!;
    const decoded = await rpc.call<{
      txid: string;
      vin: { scriptSig: { asm: string } }[];
      vout: { scriptPubKey: { type: string; desc: string } }[];
    }>('decoderawtransaction', vector.funding_tx);
    expect(decoded.txid).toBe(vector.funding_txid);
    expect(decoded.vin[0]!.scriptSig.asm).toMatch(/^[0-9a-f]+\[ALL\] [0-9a-f]{66}$/);
    expect(decoded.vout.map((o) => o.scriptPubKey.type)).toEqual([
      'witness_v0_scripthash',
      'witness_v0_keyhash',
    ]);
  });
});

describe('robustness', () => {
  const SAFE_METHODS = [
    'getblockchaininfo',
    'getblockcount',
    'getblockhash',
    'getblockheader',
    'getblock',
    'gettxout',
    'getrawtransaction',
    'decoderawtransaction',
    'sendrawtransaction',
    'testmempoolaccept',
    'getrawmempool',
    'getmempoolentry',
    'getmempoolinfo',
    'estimatesmartfee',
    'submitblock',
    'getchaintips',
    'help',
    'nosuchmethod',
  ];

  it('survives arbitrary parameters to every read-only or validating method', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SAFE_METHODS),
        fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
        fc.constantFrom('1.0', '2.0', undefined),
        async (method, params, jsonrpc) => {
          const response = await rpc.raw(JSON.stringify({ jsonrpc, method, params, id: 1 }));
          expect([200, 400, 404, 500]).toContain(response.status);
          const reply = JSON.parse(response.text) as { result?: unknown; error?: { code: number } | null };
          if (reply.error) expect(Number.isInteger(reply.error.code)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
    expect(await rpc.call('getblockcount')).toBe(101);
  });

  it('survives garbage bodies', async () => {
    const bodies = [
      '\u0000\u00ff',
      '['.repeat(10_000),
      '{"method":"getblock","params":[null,null]}',
      '[[],{}]',
      'null',
    ];
    for (const body of bodies) expect([200, 400, 500]).toContain((await rpc.raw(body)).status);
    expect(await rpc.call('getblockcount')).toBe(101);
  });

  it('answers an id too deeply nested to echo with an internal error, and keeps serving', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const depth = 30_000;
      const body = `{"method":"getblockcount","id":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const response = await rpc.raw(body);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toMatchObject({ error: { code: -32603, message: 'Internal error' } });
    } finally {
      quiet.mockRestore();
    }
    expect(await rpc.call('getblockcount')).toBe(101);
  });

  it('stops on the stop RPC', async () => {
    const regtest = await startRegtest({ initialBlocks: 0, rpc: { port: 0 } });
    const client = new RpcClient(regtest.url, regtest.credentials);
    expect(await client.call('stop')).toBe('vigil-regtest stopping');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(client.call('getblockcount')).rejects.toThrow();
  });
});
