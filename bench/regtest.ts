/**
 * vigil-regtest block validation throughput: transactions per second when a 2,000-transaction
 * block of P2WPKH spends is checked and connected, every input script verified by the independent
 * interpreter (bitcore-lib) and none of them seen by the mempool first, so nothing is cached.
 * Run: `npm run bench:regtest`. Prints the best of several full validations (TestBlockValidity:
 * every check ConnectBlock makes, on a scratch UTXO view) and the real connection of the block.
 */
import { blockHash } from '@vigil/shared/bitcoin/block';
import { hash160, sha256 } from '@vigil/shared/bitcoin/hash';
import { p2pkhScript, p2wpkhScript } from '@vigil/shared/bitcoin/output-scripts';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { signSegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { txid, type Transaction } from '@vigil/shared/bitcoin/tx';
import { toHex } from '@vigil/shared/bytes';
import { assembleBlock, mineBlock } from '@vigil/shared/chain/regtest/block-assembler';
import { RegtestNode } from '@vigil/shared/chain/regtest/node';
import { flipHashHex } from '@vigil/shared/chain/regtest/prepared-tx';

const TRANSACTIONS = 2000;
const VALUE_SAT = 1_000_000n;
const FEE_SAT = 500n;
const ROUNDS = 3;

const privkey = sha256(new TextEncoder().encode('vigil-regtest bench'));
const pubkey = pubkeyFromPrivkey(privkey);
const script = p2wpkhScript(hash160(pubkey));
const scriptCode = p2pkhScript(hash160(pubkey));

/** A P2WPKH spend of output `vout` of `parent` (worth `valueSat`) into `outputs`, signed by Vigil's signer. */
function spend(
  parent: Transaction,
  vout: number,
  valueSat: bigint,
  outputs: Transaction['outputs'],
): Transaction {
  const unsigned: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: { txid: txid(parent), vout },
        scriptSig: new Uint8Array(0),
        sequence: 0xffff_fffd,
        witness: [],
      },
    ],
    outputs,
    locktime: 0,
  };
  const signature = signSegwitV0Input(unsigned, 0, { scriptCode, valueSat }, privkey);
  return { ...unsigned, inputs: [{ ...unsigned.inputs[0]!, witness: [signature, pubkey] }] };
}

const node = new RegtestNode({ mockTime: 1_700_000_000 });
const limits = { maxFeeRate: 0n, maxBurnSat: 0n };

// One faucet payment, fanned out into 2,000 confirmed P2WPKH coins.
const fundingValue = VALUE_SAT * BigInt(TRANSACTIONS) + 100_000n;
const funding = node.findTransaction(flipHashHex(node.faucet(script, fundingValue)))!.p.tx;
const fundingVout = funding.outputs.findIndex((o) => o.valueSat === fundingValue);
const fanOut = spend(
  funding,
  fundingVout,
  fundingValue,
  Array.from({ length: TRANSACTIONS }, () => ({ valueSat: VALUE_SAT, scriptPubKey: script })),
);
node.sendRawTransaction(fanOut, limits);
node.generateToScript(1, script);

const spends = Array.from({ length: TRANSACTIONS }, (_, i) =>
  spend(fanOut, i, VALUE_SAT, [{ valueSat: VALUE_SAT - FEE_SAT, scriptPubKey: script }]),
);
const tip = node.tip;
const block = mineBlock(
  assembleBlock({
    prevHash: tip.hash,
    height: tip.height + 1,
    time: tip.medianTimePast + 1,
    payoutScript: script,
    transactions: spends,
    feesSat: FEE_SAT * BigInt(TRANSACTIONS),
  }),
)!;

function transactionsPerSecond(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return TRANSACTIONS / seconds;
}

let best = 0;
for (let round = 0; round < ROUNDS; round++) {
  best = Math.max(
    best,
    transactionsPerSecond(() => node.chain.testBlockValidity(block, node.clock.now())),
  );
}
const connected = transactionsPerSecond(() => {
  const result = node.submitBlock(block);
  if (result !== undefined) throw new Error(`block rejected: ${result}`);
});
if (node.tip.key !== toHex(blockHash(block.header))) throw new Error('block did not become the tip');

const label = `${TRANSACTIONS}-transaction P2WPKH block`;
console.log(`${`block validation tx/s (${label})`.padEnd(56)} ${Math.round(best).toLocaleString('en-US')}`);
console.log(
  `${`block connection tx/s (${label})`.padEnd(56)} ${Math.round(connected).toLocaleString('en-US')}`,
);
