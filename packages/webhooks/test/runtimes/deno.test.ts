import { join } from 'node:path'
import { describe } from 'vitest'
import { SECRET } from './support/check-endpoint.js'
import { startEndpoint } from './support/endpoint-process.js'
import { itPassesCheck, snippetProject } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

describe(`Deno ${runtimeVersions.deno.deno}`, () => {
  itPassesCheck('runs the README snippet on the packed package and passes check', async (defer) => {
    const { runtime, dir } = await snippetProject(
      'deno',
      { 'router.ts': 'router.ts', 'server.ts': 'deno' },
      defer,
    )
    // The README's command line, as written: only network and environment access.
    return startEndpoint(
      join(runtime, 'node_modules/.bin/deno'),
      ['run', '--allow-net', '--allow-env', 'server.ts'],
      { cwd: dir, env: { AGHANIM_WEBHOOK_SECRET: SECRET, DENO_DIR: join(runtime, '.deno') } },
    )
  })
})
