import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { signedHeaders } from 'aghanim-webhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { fixtureEvent } from '../../src/events/fixtures.js'
import { SECRET } from './support/check-endpoint.js'
import { startEndpoint } from './support/endpoint-process.js'
import { runtimeSnippet } from './support/readme-snippets.js'
import { type Defer, itPassesCheck, snippetProject } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

const run = promisify(execFile)

// The settings Nest's starter uses for its decorators, in an ES module project.
const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    outDir: 'dist',
    types: ['node'],
  },
  include: ['src'],
}

async function startNest(
  snippet: 'nestjs-express' | 'nestjs-fastify',
  defer: Defer,
  files: Record<string, string> = {},
) {
  const { runtime, dir } = await snippetProject(
    'nestjs',
    { 'src/router.ts': 'router.ts', 'src/main.ts': snippet },
    defer,
    { 'tsconfig.json': JSON.stringify(tsconfig, null, 2), ...files },
  )
  // Type-checked and compiled as written: a snippet that does not compile fails here.
  await run(process.execPath, [join(runtime, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
    cwd: dir,
  }).catch((error: { stdout?: string }) => {
    throw new Error(`tsc failed on the ${snippet} snippet:\n${error.stdout}`)
  })
  return startEndpoint(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: { AGHANIM_WEBHOOK_SECRET: SECRET },
  })
}

describe(`NestJS ${runtimeVersions.nestjs['@nestjs/core']} with rawBody: true`, () => {
  describe('on Express', () => {
    itPassesCheck('runs the README controller on the packed package and passes check', (defer) =>
      startNest('nestjs-express', defer),
    )
  })
  describe('on Express without rawBody', () => {
    const cleanups: (() => unknown)[] = []
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup()
    })
    it("fails loudly, as the README says: 500 raw_body_consumed naming the fix, since Nest's parser ate the body", async () => {
      const asWritten = runtimeSnippet('nestjs-express')
      const withoutRawBody = asWritten.replace('{ rawBody: true }', '{}')
      expect(withoutRawBody).not.toBe(asWritten)
      const endpoint = await startNest('nestjs-express', (cleanup) => cleanups.push(cleanup), {
        'src/main.ts': withoutRawBody,
      })
      cleanups.push(() => endpoint.stop())
      const body = JSON.stringify(fixtureEvent('item.add'))
      const signature = await signedHeaders({
        secret: SECRET,
        timestamp: Math.floor(Date.now() / 1000),
        body,
      })
      const response = await fetch(endpoint.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...signature },
      })
      expect(response.status).toBe(500)
      expect(await response.json()).toMatchObject({ status: 'error', code: 'raw_body_consumed' })
    }, 240_000)
  })
  describe('on Fastify', () => {
    itPassesCheck('runs the README plugin registration on the packed package and passes check', (defer) =>
      startNest('nestjs-fastify', defer),
    )
  })
})
