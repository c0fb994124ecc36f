/**
 * Typed errors. Every error Vigil raises on purpose names the field that was wrong and what was
 * wrong with it, so an operator can act on the message alone:
 * `tx.inputs[2].witness[0]: expected 72 bytes, got 71`.
 *
 * Messages never contain secret material: callers name fields, they do not print their values.
 */

/** Base class: `field` is a path into the input (`update.steps[2].secret`), `problem` what was wrong. */
export class VigilError extends Error {
  readonly field: string;
  readonly problem: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = new.target.name;
    this.field = field;
    this.problem = problem;
  }
}

/** Bytes that do not parse: truncated, trailing data, non-canonical or out-of-range encodings. */
export class DecodeError extends VigilError {}

/** A well-formed value that breaks a rule: wrong length, out of range, not a valid point or key. */
export class ValidationError extends VigilError {}
