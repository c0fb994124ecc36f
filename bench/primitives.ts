/**
 * Throughput of the primitives everything else is built on: ECDSA signing and verification of
 * sighashes, and transaction parsing (a 5-HTLC commitment transaction and a 1-in/2-out payment).
 * Run: `npm run bench`. Each figure is the best of several timed rounds on one core.
 */
import { randomBytes } from 'node:crypto';
import { hash160 } from '@vigil/shared/bitcoin/hash';
import { signEcdsa, verifyEcdsa } from '@vigil/shared/bitcoin/ecdsa';
import { p2wpkhScript } from '@vigil/shared/bitcoin/output-scripts';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { decodeTx, encodeTx, type Transaction } from '@vigil/shared/bitcoin/tx';

const ROUNDS = 5;
const ROUND_MS = 400;

/** Operations per second of `op`, the best of ROUNDS rounds of about ROUND_MS each. */
function opsPerSecond(op: (i: number) => void): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsedNs = 0n;
    while (elapsedNs < BigInt(ROUND_MS) * 1_000_000n) {
      for (let k = 0; k < 16; k++) op(n++);
      elapsedNs = process.hrtime.bigint() - start;
    }
    best = Math.max(best, (n * 1e9) / Number(elapsedNs));
  }
  return best;
}

function syntheticTx(outputs: number, witnessItems: number): Uint8Array {
  const script = p2wpkhScript(hash160(pubkeyFromPrivkey(randomBytes(32))));
  const tx: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: { txid: randomBytes(32), vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: 0x80_00_00_00,
        witness: Array.from({ length: witnessItems }, (_, i) =>
          randomBytes(i === witnessItems - 1 ? 71 : 72),
        ),
      },
    ],
    outputs: Array.from({ length: outputs }, (_, i) => ({
      valueSat: BigInt(1000 + i),
      scriptPubKey: script,
    })),
    locktime: 0x20_00_00_00,
  };
  return encodeTx(tx);
}

const privkey = randomBytes(32);
const pubkey = pubkeyFromPrivkey(privkey);
const hashes = Array.from({ length: 256 }, () => new Uint8Array(randomBytes(32)));
const signatures = hashes.map((h) => signEcdsa(h, privkey));
const commitmentTx = syntheticTx(7, 4);
const paymentTx = syntheticTx(2, 2);

const results: [string, number][] = [
  ['ECDSA signatures/s', opsPerSecond((i) => signEcdsa(hashes[i & 255]!, privkey))],
  ['ECDSA verifications/s', opsPerSecond((i) => verifyEcdsa(signatures[i & 255]!, hashes[i & 255]!, pubkey))],
  [`transactions parsed/s (${commitmentTx.length} B, 7 outputs)`, opsPerSecond(() => decodeTx(commitmentTx))],
  [`transactions parsed/s (${paymentTx.length} B, 2 outputs)`, opsPerSecond(() => decodeTx(paymentTx))],
];
for (const [name, value] of results)
  console.log(`${name.padEnd(48)} ${Math.round(value).toLocaleString('en-US')}`);
