/**
 * Loads the BOLT spec vectors from `../shared/vectors` beside the repository (override with
 * VIGIL_VECTORS_DIR). A missing file fails the test run loudly: vectors are never skipped.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const vectorsDir = process.env['VIGIL_VECTORS_DIR'] ?? resolve(repoRoot, '..', 'shared', 'vectors');

/** Parses `<vectorsDir>/<file>`; the caller states the shape it expects. */
export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(resolve(vectorsDir, file), 'utf8')) as T;
}
