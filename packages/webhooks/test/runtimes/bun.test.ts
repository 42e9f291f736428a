import { describe } from 'vitest'
import { itRunsServerSnippet } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

describe(`Bun ${runtimeVersions.bun.bun}`, () => {
  itRunsServerSnippet('bun', ['server.ts'])
})
