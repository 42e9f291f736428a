import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { cachedInstall } from './cached-install.js'
import { checkEndpoint, SECRET } from './check-endpoint.js'
import { consumerProject } from './consumer-project.js'
import { type EndpointProcess, startEndpoint } from './endpoint-process.js'
import { runtimeSnippet } from './readme-snippets.js'
import { runtimeVersions } from './versions.js'

export type Defer = (cleanup: () => unknown) => void

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

/**
 * The runtime `name` installed (cached) and a fresh project beside it holding the packed library, the README
 * snippets named by `snippets` (path → snippet) and the `files` given as they are.
 */
export async function snippetProject(
  name: keyof typeof runtimeVersions,
  snippets: Record<string, string>,
  defer: Defer,
  files: Record<string, string> = {},
): Promise<{ runtime: string; dir: string }> {
  const runtime = await cachedInstall(name, runtimeVersions[name])
  const written = Object.entries(snippets).map(([path, snippet]) => [path, runtimeSnippet(snippet)])
  const project = await consumerProject(runtime, { ...Object.fromEntries(written), ...files })
  defer(project.remove)
  return { runtime, dir: project.dir }
}

/**
 * A runtime that runs the README's TypeScript server snippet for it as it is (Bun, Deno): the binary its
 * package installs is started with `args` in the project holding the snippet, the secret in its environment
 * with whatever more `env` gives for the installed runtime.
 */
export function itRunsServerSnippet(
  name: 'bun' | 'deno',
  args: readonly string[],
  env: (runtime: string) => Record<string, string> = () => ({}),
): void {
  itPassesCheck('runs the README snippet on the packed package and passes check', async (defer) => {
    const { runtime, dir } = await snippetProject(
      name,
      { 'router.ts': 'router.ts', 'server.ts': name },
      defer,
    )
    return startEndpoint(join(runtime, 'node_modules/.bin', name), args, {
      cwd: dir,
      env: { AGHANIM_WEBHOOK_SECRET: SECRET, ...env(runtime) },
    })
  })
}
