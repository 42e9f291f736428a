import { afterAll, expect, it } from 'vitest'
import { checkEndpoint } from './check-endpoint.js'
import type { EndpointProcess } from './endpoint-process.js'

type Defer = (cleanup: () => unknown) => void

/**
 * One runtime proven: `start` installs and starts it (registering its clean-ups with `defer`) and returns the
 * running endpoint; the test passes only when `aghanim-webhooks check` finds nothing wrong with it. Every
 * failure (install, build, start, a failed check) fails the test: no runtime is ever skipped.
 */
export function itPassesCheck(
  title: string,
  start: (defer: Defer) => Promise<EndpointProcess>,
  timeoutMs = 240_000,
): void {
  const cleanups: (() => unknown)[] = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  it(
    title,
    async () => {
      const endpoint = await start((cleanup) => cleanups.push(cleanup))
      cleanups.push(() => endpoint.stop())
      const report = await checkEndpoint(endpoint.url)
      expect(report.failures, endpoint.output()).toEqual([])
      expect(report.ok).toBe(true)
      expect(report.counts.pass).toBeGreaterThan(20)
    },
    timeoutMs,
  )
}
