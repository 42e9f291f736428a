import { join } from 'node:path'
import { describe } from 'vitest'
import { cachedInstall } from './support/cached-install.js'
import { SECRET } from './support/check-endpoint.js'
import { consumerProject } from './support/consumer-project.js'
import { startEndpoint } from './support/endpoint-process.js'
import { runtimeSnippet } from './support/readme-snippets.js'
import { itPassesCheck } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

describe(`Deno ${runtimeVersions.deno.deno}`, () => {
  itPassesCheck('runs the README snippet on the packed package and passes check', async (defer) => {
    const runtime = await cachedInstall('deno', runtimeVersions.deno)
    const project = await consumerProject(runtime, {
      'router.ts': runtimeSnippet('router.ts'),
      'server.ts': runtimeSnippet('deno'),
    })
    defer(project.remove)
    // The README's command line, as written: only network and environment access.
    return startEndpoint(
      join(runtime, 'node_modules/.bin/deno'),
      ['run', '--allow-net', '--allow-env', 'server.ts'],
      { cwd: project.dir, env: { AGHANIM_WEBHOOK_SECRET: SECRET, DENO_DIR: join(runtime, '.deno') } },
    )
  })
})
