/**
 * The wallet's keys: BIP 32 from a seed, BIP 84 paths (`m/84'/coin'/0'/chain/index`, P2WPKH),
 * chain 0 for receiving and 1 for change. Scripts up to a look-ahead window past the last used
 * index are precomputed so block scanning is a map lookup per output.
 */
import { HDKey } from '@scure/bip32';
import { expectUint } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { hash160 } from '@vigil/shared/bitcoin/hash';
import type { Network } from '@vigil/shared/bitcoin/network';
import { p2wpkhScript } from '@vigil/shared/bitcoin/output-scripts';
import { toHex } from '@vigil/shared/bytes';

export type KeyChain = 0 | 1;
export const RECEIVE: KeyChain = 0;
export const CHANGE: KeyChain = 1;

/** How many unused keys past the last used one are watched (BIP 44's gap limit). */
export const GAP_LIMIT = 20;

export interface WalletKey {
  readonly chain: KeyChain;
  readonly index: number;
  readonly pubkey: Uint8Array;
  readonly scriptPubKey: Uint8Array;
}

export class Keychain {
  private readonly account: HDKey;
  private readonly byScript = new Map<string, WalletKey>();
  private readonly derivedUpTo: [number, number] = [0, 0];

  constructor(seed: Uint8Array, network: Network) {
    if (seed.length < 16 || seed.length > 64)
      throw new ValidationError('seed', `expected 16 to 64 bytes, got ${seed.length}`);
    const coinType = network.name === 'mainnet' ? 0 : 1;
    this.account = HDKey.fromMasterSeed(seed).derive(`m/84'/${coinType}'/0'`);
  }

  /** The key at `chain`/`index`, public parts only. */
  key(chain: KeyChain, index: number): WalletKey {
    expectUint(index, 0x7fff_ffff, 'index');
    const node = this.account.deriveChild(chain).deriveChild(index);
    const pubkey = node.publicKey!;
    return { chain, index, pubkey, scriptPubKey: p2wpkhScript(hash160(pubkey)) };
  }

  /** The private key of `chain`/`index`: callers sign with it and drop it. */
  privateKey(chain: KeyChain, index: number): Uint8Array {
    return this.account.deriveChild(chain).deriveChild(index).privateKey!;
  }

  /** Makes sure every key up to `usedUpTo + GAP_LIMIT` on `chain` is recognised by `lookup`. */
  watchUpTo(chain: KeyChain, usedUpTo: number): void {
    for (let i = this.derivedUpTo[chain]; i < usedUpTo + GAP_LIMIT; i++) {
      const key = this.key(chain, i);
      this.byScript.set(toHex(key.scriptPubKey), key);
      this.derivedUpTo[chain] = i + 1;
    }
  }

  /** The wallet key paying to `scriptPubKey`, if it is one of the watched ones. */
  lookup(scriptPubKey: Uint8Array): WalletKey | undefined {
    return this.byScript.get(toHex(scriptPubKey));
  }
}
