/**
 * The few parts of bitcore-lib 11.5.1 (CommonJS, untyped) that script verification uses: parsing a
 * raw transaction and a script, attaching the output an input spends, and bitcore's port of
 * bitcoind's `VerifyScript` (`Script.Interpreter`) with its SCRIPT_VERIFY_* flag constants.
 */
declare module 'bitcore-lib' {
  // Types only, so the namespace merges with the value below.
  namespace bitcore {
    interface Script {
      toBuffer(): Buffer;
    }

    interface Output {
      readonly satoshis: number;
    }

    interface Input {
      /** The parsed scriptSig; parsing throws on a push that runs past the end. */
      readonly script: Script | null;
      /** The output this input spends: taproot signature hashes commit to every spent output. */
      output: Output | undefined;
      getWitnesses(): Buffer[];
    }

    interface Transaction {
      readonly inputs: Input[];
    }

    interface Interpreter {
      verify(
        scriptSig: Script,
        scriptPubKey: Script,
        tx: Transaction,
        inputIndex: number,
        flags: number,
        witness: Buffer[],
        satoshis: number,
      ): boolean;
      /** `SCRIPT_ERR_*` name of the last failure; `SCRIPT_ERR_UNKNOWN_ERROR: <exception>` when bitcore threw. */
      readonly errstr: string;
    }

    interface InterpreterConstructor {
      new (): Interpreter;
      readonly SCRIPT_VERIFY_P2SH: number;
      readonly SCRIPT_VERIFY_STRICTENC: number;
      readonly SCRIPT_VERIFY_DERSIG: number;
      readonly SCRIPT_VERIFY_LOW_S: number;
      readonly SCRIPT_VERIFY_NULLDUMMY: number;
      readonly SCRIPT_VERIFY_MINIMALDATA: number;
      readonly SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS: number;
      readonly SCRIPT_VERIFY_CLEANSTACK: number;
      readonly SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY: number;
      readonly SCRIPT_VERIFY_CHECKSEQUENCEVERIFY: number;
      readonly SCRIPT_VERIFY_WITNESS: number;
      readonly SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM: number;
      readonly SCRIPT_VERIFY_MINIMALIF: number;
      readonly SCRIPT_VERIFY_NULLFAIL: number;
      readonly SCRIPT_VERIFY_WITNESS_PUBKEYTYPE: number;
      readonly SCRIPT_VERIFY_CONST_SCRIPTCODE: number;
      readonly SCRIPT_VERIFY_TAPROOT: number;
      readonly SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION: number;
      readonly SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS: number;
      readonly SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE: number;
    }
  }

  const bitcore: {
    readonly Script: (new (buffer: Buffer) => bitcore.Script) & {
      readonly Interpreter: bitcore.InterpreterConstructor;
    };
    readonly Transaction: (new (raw: Buffer) => bitcore.Transaction) & {
      readonly Output: new (args: { satoshis: number; script: Buffer }) => bitcore.Output;
    };
  };
  export = bitcore;
}
