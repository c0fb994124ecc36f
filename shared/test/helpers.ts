/**
 * Test helpers: loading the vector files under shared/test/data/ (each records its `source`) and
 * asserting that a call fails with a typed error naming the expected field.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { DecodeError, ValidationError, VigilError } from '../src/errors.js';

/** Parses `shared/test/data/<file>`; the caller states the shape it expects. */
export function loadTestData<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8')) as T;
}

/** Asserts that `fn` throws an `errorClass` whose field is `field` and whose problem matches `problem`. */
export function expectVigilError(
  fn: () => unknown,
  errorClass: typeof DecodeError | typeof ValidationError,
  field: string,
  problem?: RegExp | string,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected the call to throw').toBeInstanceOf(errorClass);
  expect((caught as VigilError).field).toBe(field);
  if (problem !== undefined) expect((caught as VigilError).problem).toMatch(problem);
}
