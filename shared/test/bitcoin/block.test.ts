/**
 * Blocks (block.ts): the regtest genesis block and block 1 from the BOLT 3 funding vector decode
 * and re-encode byte for byte with their known hashes; merkle roots (with the CVE-2012-2459
 * mutation flag), the BIP 141 witness commitment, BIP 34 coinbase heights, compact targets and the
 * proof-of-work check; and malformed input fails with DecodeError naming the field.
 */
import { describe, expect, it } from 'vitest';
import {
  blockHash,
  blockHashFromHex,
  blockHashHex,
  blockMerkleRoot,
  blockProof,
  blockWeight,
  checkProofOfWork,
  coinbaseCommitsToHeight,
  coinbaseHeightPrefix,
  decodeBlock,
  decodeBlockHeader,
  decodeCompactTarget,
  difficulty,
  encodeBlock,
  encodeBlockHeader,
  findWitnessCommitment,
  merkleRoot,
  witnessCommitment,
  witnessCommitmentAt,
  witnessCommitmentScript,
  witnessMerkleRoot,
  type Block,
} from '../../src/bitcoin/block.js';
import { hash256 } from '../../src/bitcoin/hash.js';
import { decodeTx, encodeTx, txidHex, type Transaction } from '../../src/bitcoin/tx.js';
import { concatBytes, fromHex, reverseBytes, toHex } from '../../src/bytes.js';
import { DecodeError, ValidationError } from '../../src/errors.js';
import { GENESIS_BLOCK, POW_LIMIT, REGTEST_BITS } from '../../src/chain/regtest/params.js';
import { expectVigilError } from '../helpers.js';
import { loadVectors } from '../vectors.js';

interface FundingVector {
  cases: { block0_genesis: string; block1: string; block1_coinbase_tx: string }[];
}

const funding = loadVectors<FundingVector>('bolt03-funding.json').cases[0]!;
const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
const GENESIS_MERKLE_ROOT = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';

function spend(seed: number, witness: Uint8Array[] = []): Transaction {
  return {
    version: 2,
    inputs: [
      {
        prevout: { txid: new Uint8Array(32).fill(seed), vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: 0,
        witness,
      },
    ],
    outputs: [{ valueSat: 1000n, scriptPubKey: Uint8Array.of(0x51) }],
    locktime: 0,
  };
}

describe('BOLT 3 vector blocks (regtest)', () => {
  it('decodes and re-encodes the regtest genesis block, hash 0f9188f1...', () => {
    const bytes = fromHex(funding.block0_genesis);
    const block = decodeBlock(bytes);
    expect(toHex(encodeBlock(block))).toBe(funding.block0_genesis);
    expect(blockHashHex(block.header)).toBe(REGTEST_GENESIS_HASH);
    expect(toHex(reverseBytes(block.header.merkleRoot))).toBe(GENESIS_MERKLE_ROOT);
    expect(toHex(blockMerkleRoot(block.transactions).root)).toBe(toHex(block.header.merkleRoot));
    expect(checkProofOfWork(blockHash(block.header), block.header.bits, POW_LIMIT)).toBe(true);
  });

  it("matches the node's own genesis block byte for byte", () => {
    expect(toHex(encodeBlock(GENESIS_BLOCK))).toBe(funding.block0_genesis);
  });

  it('decodes block 1, which builds on genesis and pays its coinbase to the vector key', () => {
    const block = decodeBlock(fromHex(funding.block1));
    expect(toHex(encodeBlock(block))).toBe(funding.block1);
    expect(toHex(reverseBytes(block.header.prevBlockHash))).toBe(REGTEST_GENESIS_HASH);
    expect(block.transactions).toHaveLength(1);
    expect(toHex(encodeTx(block.transactions[0]!))).toBe(funding.block1_coinbase_tx);
    expect(toHex(blockMerkleRoot(block.transactions).root)).toBe(toHex(block.header.merkleRoot));
    expect(coinbaseCommitsToHeight(block.transactions[0]!.inputs[0]!.scriptSig, 1)).toBe(true);
    expect(checkProofOfWork(blockHash(block.header), block.header.bits, POW_LIMIT)).toBe(true);
    // The vector's funding transaction spends this coinbase: its txid is the vector's input_txid.
    expect(txidHex(block.transactions[0]!)).toBe(txidHex(decodeTx(fromHex(funding.block1_coinbase_tx))));
  });

  it('round-trips the header alone and the display-order hash', () => {
    const header = decodeBlock(fromHex(funding.block1)).header;
    const encoded = encodeBlockHeader(header);
    expect(encoded).toHaveLength(80);
    expect(decodeBlockHeader(encoded)).toEqual(header);
    expect(toHex(blockHashFromHex(blockHashHex(header)))).toBe(toHex(blockHash(header)));
  });
});

describe('merkle root', () => {
  const a = new Uint8Array(32).fill(1);
  const b = new Uint8Array(32).fill(2);
  const c = new Uint8Array(32).fill(3);

  it('is the single hash itself for one transaction', () => {
    expect(merkleRoot([a])).toEqual({ root: a, mutated: false });
  });

  it('pairs an odd last hash with itself', () => {
    const ab = hash256(concatBytes(a, b));
    const cc = hash256(concatBytes(c, c));
    expect(toHex(merkleRoot([a, b, c]).root)).toBe(toHex(hash256(concatBytes(ab, cc))));
    expect(merkleRoot([a, b, c]).mutated).toBe(false);
  });

  it('flags duplicate adjacent hashes (CVE-2012-2459): [a,b,c,c] has the same root as [a,b,c]', () => {
    const mutated = merkleRoot([a, b, c, c]);
    expect(mutated.mutated).toBe(true);
    expect(toHex(mutated.root)).toBe(toHex(merkleRoot([a, b, c]).root));
  });
});

describe('BIP 141 witness commitment', () => {
  const reserved = new Uint8Array(32);
  const withWitness = spend(7, [Uint8Array.of(1, 2, 3)]);

  it('builds the OP_RETURN aa21a9ed output and finds it again (the last match wins)', () => {
    const root = witnessMerkleRoot([spend(0), withWitness]);
    const commitment = witnessCommitment(root, reserved);
    const script = witnessCommitmentScript(commitment);
    expect(toHex(script.subarray(0, 6))).toBe('6a24aa21a9ed');
    const decoy = witnessCommitmentScript(new Uint8Array(32).fill(9));
    const coinbase: Transaction = {
      ...spend(0),
      outputs: [
        { valueSat: 0n, scriptPubKey: decoy },
        { valueSat: 0n, scriptPubKey: script },
        { valueSat: 0n, scriptPubKey: Uint8Array.of(0x6a) },
      ],
    };
    expect(findWitnessCommitment(coinbase)).toBe(1);
    expect(toHex(witnessCommitmentAt(coinbase, 1))).toBe(toHex(commitment));
    expect(findWitnessCommitment(spend(0))).toBeUndefined();
  });

  it('takes the coinbase wtxid as zero', () => {
    const coinbaseA = spend(1, [new Uint8Array(32)]);
    const coinbaseB = spend(1, [new Uint8Array(32).fill(5)]);
    expect(toHex(witnessMerkleRoot([coinbaseA, withWitness]))).toBe(
      toHex(witnessMerkleRoot([coinbaseB, withWitness])),
    );
  });
});

describe('BIP 34 coinbase height', () => {
  it.each([
    [1, '51'],
    [16, '60'],
    [17, '0111'],
    [127, '017f'],
    [128, '028000'],
    [500, '02f401'],
    [65_536, '03000001'],
  ])('height %i is pushed as %s', (height, hex) => {
    expect(toHex(coinbaseHeightPrefix(height))).toBe(hex);
  });

  it('accepts a scriptSig that starts with the prefix and nothing else', () => {
    expect(coinbaseCommitsToHeight(fromHex('510101'), 1)).toBe(true);
    expect(coinbaseCommitsToHeight(fromHex('520101'), 1)).toBe(false);
    expect(coinbaseCommitsToHeight(fromHex('01'), 17)).toBe(false);
  });
});

describe('compact targets and proof of work', () => {
  it('decodes regtest 0x207fffff to the pow limit, work 2 per block, difficulty 4.66e-10', () => {
    expect(decodeCompactTarget(REGTEST_BITS)).toEqual({
      target: POW_LIMIT,
      negative: false,
      overflow: false,
    });
    expect(blockProof(REGTEST_BITS)).toBe(2n);
    // bitcoind prints it with 16 significant digits.
    expect(difficulty(REGTEST_BITS).toPrecision(16)).toBe('4.656542373906925e-10');
    expect(difficulty(0x1d00ffff)).toBe(1);
  });

  it('flags negative and overflowing encodings as SetCompact does', () => {
    expect(decodeCompactTarget(0x04923456).negative).toBe(true);
    expect(decodeCompactTarget(0xff123456).overflow).toBe(true);
    expect(decodeCompactTarget(0x01003456).target).toBe(0n);
    expect(decodeCompactTarget(0x05009234).target).toBe(0x92340000n);
  });

  it('rejects a hash above the target and a target easier than the limit', () => {
    const easy = new Uint8Array(32).fill(0xff);
    expect(checkProofOfWork(easy, REGTEST_BITS, POW_LIMIT)).toBe(false);
    expect(checkProofOfWork(new Uint8Array(32), REGTEST_BITS, POW_LIMIT)).toBe(true);
    expect(checkProofOfWork(new Uint8Array(32), 0x2100ffff, POW_LIMIT)).toBe(false);
    expect(checkProofOfWork(new Uint8Array(32), 0x04923456, POW_LIMIT)).toBe(false);
  });
});

describe('block codec errors', () => {
  const genesis = fromHex(funding.block0_genesis);

  it('names a truncated header field', () => {
    expectVigilError(() => decodeBlock(genesis.subarray(0, 74)), DecodeError, 'header.bits');
  });

  it('names the transaction whose bytes are bad', () => {
    expectVigilError(
      () => decodeBlock(genesis.subarray(0, genesis.length - 2)),
      DecodeError,
      'block.transactions[0].tx.locktime',
    );
  });

  it('rejects trailing bytes and impossible transaction counts', () => {
    expectVigilError(() => decodeBlock(concatBytes(genesis, Uint8Array.of(0))), DecodeError, 'block');
    const hugeCount = concatBytes(genesis.subarray(0, 80), Uint8Array.of(0xfd, 0xff, 0x00));
    expectVigilError(() => decodeBlock(hugeCount), DecodeError, 'block.transactions.count');
  });

  it('refuses to encode an out-of-range header field', () => {
    const block: Block = { ...GENESIS_BLOCK, header: { ...GENESIS_BLOCK.header, nonce: -1 } };
    expectVigilError(() => encodeBlock(block), ValidationError, 'block.header.nonce');
  });

  it('weighs a legacy-only block at four times its size', () => {
    expect(blockWeight(GENESIS_BLOCK)).toBe(genesis.length * 4);
  });
});
