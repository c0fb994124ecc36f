// Prints `N passed, N failed` from vitest's JSON report. A test file that failed to load counts as
// a failure, so a broken import can never look like a green run.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`no vitest report at ${file}: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const suitesWithoutTests = report.testResults.filter(
  (r) => r.status === 'failed' && r.assertionResults.length === 0,
).length;
const passed = report.numPassedTests;
const failed = report.numFailedTests + suitesWithoutTests;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
