import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources (the "source" export condition), so tests never
// run against a stale build and there is one copy of each module (error classes compare with instanceof).
export default defineConfig({
  resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
  // No 'import' here: Vitest hands these to Node as --conditions, and with 'import' a CommonJS require()
  // of a dual package (Express's router → is-promise) returns the ESM namespace instead of the function.
  ssr: { resolve: { conditions: ['source', 'node', 'default'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Type tests (*.test-d.ts) are compiled, never run: Vitest runs tsc on the project's test tsconfig and fails
    // the test in which an expectTypeOf or a @ts-expect-error does not hold.
    typecheck: {
      enabled: true,
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.test.json',
    },
  },
})
