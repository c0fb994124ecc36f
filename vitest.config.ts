import { defineConfig } from 'vitest/config';

// One vitest project per workspace that has tests. The `source` export condition lets a
// package import another workspace's TypeScript directly, so tests never run stale dist/ code.
const workspace = (name: string) => ({
  extends: true as const,
  test: { name, root: `./${name}`, include: ['test/**/*.test.ts'] },
});

export default defineConfig({
  resolve: { conditions: ['source'] },
  // Tests run on Node, where Vite resolves imports with the SSR conditions.
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    projects: [
      workspace('proto'),
      workspace('shared'),
      workspace('manager'),
      workspace('monitor'),
      workspace('test'),
    ],
    testTimeout: 30_000,
    // The JSON report feeds .ci/run's closing `N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
