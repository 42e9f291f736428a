/** The few assertions the conformance suites use; Vitest's and Jest's `expect` both fit. */
export interface Expectation {
  toBe(expected: unknown): void
  toEqual(expected: unknown): void
  toBeGreaterThan(expected: number): void
  toBeGreaterThanOrEqual(expected: number): void
}

/** Test-framework functions the conformance suites register their cases with (Vitest, Jest, Bun, ...). */
export interface TestFunctions {
  describe(name: string, body: () => void): void
  test(name: string, body: () => Promise<void>, timeout?: number): void
  expect(actual: unknown): Expectation
}

/** A clock a test moves by hand, so lease expiry needs no waiting. Pass `clock.now` to the store. */
export interface ManualClock {
  now(): number
  advance(ms: number): void
}

/**
 * Creates a `ManualClock` starting at `start` (Unix ms).
 *
 * @example
 * const clock = manualClock()
 * const store = new MemoryStore({ now: clock.now })
 * clock.advance(61_000) // every 60 s lease has now expired
 */
export function manualClock(start = Date.UTC(2025, 0, 1)): ManualClock {
  let current = start
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
  }
}

/** Resolves with what `promise` rejected with, or throws if it resolved. Internal. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('Expected the promise to reject, but it resolved.')
}

/** A key no other case (or earlier run against the same database) uses. Internal. */
export function uniqueKey(label: string): string {
  return `${label}:${crypto.randomUUID()}`
}
