import { join } from 'node:path'
import { describe } from 'vitest'
import { SECRET } from './support/check-endpoint.js'
import { startEndpoint } from './support/endpoint-process.js'
import { itPassesCheck, snippetProject } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

describe(`Bun ${runtimeVersions.bun.bun}`, () => {
  itPassesCheck('runs the README snippet on the packed package and passes check', async (defer) => {
    const { runtime, dir } = await snippetProject(
      'bun',
      { 'router.ts': 'router.ts', 'server.ts': 'bun' },
      defer,
    )
    return startEndpoint(join(runtime, 'node_modules/.bin/bun'), ['server.ts'], {
      cwd: dir,
      env: { AGHANIM_WEBHOOK_SECRET: SECRET },
    })
  })
})
