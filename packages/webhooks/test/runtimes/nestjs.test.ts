import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe } from 'vitest'
import { SECRET } from './support/check-endpoint.js'
import { startEndpoint } from './support/endpoint-process.js'
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

async function startNest(snippet: 'nestjs-express' | 'nestjs-fastify', defer: Defer) {
  const { runtime, dir } = await snippetProject(
    'nestjs',
    { 'src/router.ts': 'router.ts', 'src/main.ts': snippet },
    defer,
    { 'tsconfig.json': JSON.stringify(tsconfig, null, 2) },
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
  describe('on Fastify', () => {
    itPassesCheck('runs the README plugin registration on the packed package and passes check', (defer) =>
      startNest('nestjs-fastify', defer),
    )
  })
})
