/**
 * The Bitcoin networks Vigil runs on and the prefixes their addresses carry: the BIP 173
 * human-readable part of segwit addresses and the base58check version bytes of P2PKH and P2SH
 * addresses (as bitcoind's chainparams define them).
 */
import { ValidationError } from '../errors.js';

export type NetworkName = 'mainnet' | 'testnet' | 'signet' | 'regtest';

export interface Network {
  readonly name: NetworkName;
  /** BIP 173 human-readable part, lower case. */
  readonly bech32Hrp: string;
  /** Base58check version byte of P2PKH addresses. */
  readonly p2pkhVersion: number;
  /** Base58check version byte of P2SH addresses. */
  readonly p2shVersion: number;
}

export const MAINNET: Network = Object.freeze({
  name: 'mainnet',
  bech32Hrp: 'bc',
  p2pkhVersion: 0x00,
  p2shVersion: 0x05,
});

/** Testnet3 and testnet4 share these prefixes. */
export const TESTNET: Network = Object.freeze({
  name: 'testnet',
  bech32Hrp: 'tb',
  p2pkhVersion: 0x6f,
  p2shVersion: 0xc4,
});

/** Signet reuses testnet's prefixes, so a signet address is also a valid testnet address. */
export const SIGNET: Network = Object.freeze({
  name: 'signet',
  bech32Hrp: 'tb',
  p2pkhVersion: 0x6f,
  p2shVersion: 0xc4,
});

export const REGTEST: Network = Object.freeze({
  name: 'regtest',
  bech32Hrp: 'bcrt',
  p2pkhVersion: 0x6f,
  p2shVersion: 0xc4,
});

export const NETWORKS: readonly Network[] = Object.freeze([MAINNET, TESTNET, SIGNET, REGTEST]);

/** The network called `name` (`mainnet`, `testnet`, `signet` or `regtest`), e.g. from configuration. */
export function networkByName(name: string, field = 'network'): Network {
  const network = NETWORKS.find((n) => n.name === name);
  if (network === undefined) {
    throw new ValidationError(
      field,
      `expected one of ${NETWORKS.map((n) => n.name).join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  return network;
}

/**
 * Throws unless `network` is one of the constants above. Hand-built look-alikes are refused so a
 * typo in a prefix can never produce addresses that pay someone else's network.
 */
export function expectNetwork(network: Network, field = 'network'): Network {
  if (!NETWORKS.includes(network)) {
    throw new ValidationError(field, 'expected one of MAINNET, TESTNET, SIGNET or REGTEST');
  }
  return network;
}
