import { join } from 'node:path'
import { describe } from 'vitest'
import { itRunsServerSnippet } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

describe(`Deno ${runtimeVersions.deno.deno}`, () => {
  // The README's command line, as written: only network and environment access.
  itRunsServerSnippet('deno', ['run', '--allow-net', '--allow-env', 'server.ts'], (runtime) => ({
    DENO_DIR: join(runtime, '.deno'),
  }))
})
