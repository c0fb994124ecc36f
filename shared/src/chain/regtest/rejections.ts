/**
 * Why a transaction or block was refused, in bitcoind's terms: a reject reason string
 * (`bad-txns-in-belowout`, `txn-mempool-conflict`, ...) and an optional debug message, printed
 * together as `TxValidationState::ToString()` does. The kind says which RPC error a rejection maps
 * to at the edge (sendrawtransaction's -25, -26 and -27).
 */
import { VigilError } from '../../errors.js';

/**
 * - `invalid`: consensus or policy failure (RPC -26, "rejected");
 * - `missing-inputs`: an input is unknown or spent (RPC -25; testmempoolaccept says `missing-inputs`);
 * - `max-fee`: the caller's maxfeerate or maxburnamount was exceeded (RPC -25);
 * - `already-in-chain`: its outputs are already unspent in the UTXO set (RPC -27).
 */
export type TxRejectionKind = 'invalid' | 'missing-inputs' | 'max-fee' | 'already-in-chain';

export class TxRejection extends VigilError {
  constructor(
    readonly reason: string,
    readonly debug: string | undefined = undefined,
    readonly kind: TxRejectionKind = 'invalid',
  ) {
    super('tx', debug === undefined ? reason : `${reason}, ${debug}`);
  }

  /** `reason, debug` as bitcoind's `ValidationState::ToString()`. */
  get details(): string {
    return this.problem;
  }
}

export class BlockRejection extends VigilError {
  constructor(
    readonly reason: string,
    readonly debug: string | undefined = undefined,
  ) {
    super('block', debug === undefined ? reason : `${reason}, ${debug}`);
  }

  get details(): string {
    return this.problem;
  }
}
