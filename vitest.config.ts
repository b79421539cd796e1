import { defineConfig } from 'vitest/config'

// One root config over every package: `pnpm test` builds the workspace (tests import sibling
// packages through their published entry points, as a user would) and then runs everything.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
