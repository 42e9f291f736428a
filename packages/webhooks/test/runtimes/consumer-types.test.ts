import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { cachedInstall } from './support/cached-install.js'
import { consumerProject } from './support/consumer-project.js'
import { runtimeVersions } from './support/versions.js'

const run = promisify(execFile)

// The newest TypeScript on the registry, asked each run (the install is cached per version it names).
async function newestTypeScript(): Promise<string> {
  const { stdout } = await run('npm', ['view', 'typescript', 'version'])
  return stdout.trim()
}

const compilerOptions = {
  target: 'ES2022',
  module: 'nodenext',
  moduleResolution: 'nodenext',
  strict: true,
  noEmit: true,
  // The package's own declarations are what is under test.
  skipLibCheck: false,
}

// A Workers / Deno / Bun style project: web types only, and no @types/node anywhere it could find one.
const webConsumer = `
import { trace } from '@opentelemetry/api'
import { createRouter, type EventData } from 'aghanim-webhooks'
import { aghanimWebhooks, deny } from 'aghanim-webhooks/hono'

const router = createRouter()
  .on('player.verify', (event) => (event.event_data.player_id === 'banned' ? deny('banned') : { player_id: event.event_data.player_id, name: 'Molly', attributes: {} }))
  .on('item.add', (event) => {
    const items: EventData<'item.add'>['items'] = event.event_data.items
    // @ts-expect-error: a key the catalogue does not have is a compile error
    void event.event_data.not_a_field
    return void items
  })

export const fetchHandler: (request: Request) => Promise<Response> = aghanimWebhooks({ secret: 's', router })
// The optional peer: any @opentelemetry/api tracer fits the structural tracer option.
export const traced = aghanimWebhooks({ secret: 's', router, tracer: trace.getTracer('studio') })
`

// A Node project: @types/node installed but, as TypeScript 6+ does by default, not loaded for every file.
const nodeConsumer = `
import { createServer } from 'node:http'
import { createRouter } from 'aghanim-webhooks'
import * as express from 'aghanim-webhooks/express'
import * as fastify from 'aghanim-webhooks/fastify'
import { aghanimWebhooks } from 'aghanim-webhooks/node'

const router = createRouter().on('item.add', () => undefined)
createServer(aghanimWebhooks({ secret: 's', router }))
export const handler: express.ExpressHandler = express.aghanimWebhooks({ secret: 's', router })
export const plugin: fastify.FastifyWebhooksPlugin = fastify.aghanimWebhooks({ secret: 's', router, path: '/hook' })
`

async function typeCheck(runtime: string, source: string, options: Record<string, unknown>) {
  const project = await consumerProject(runtime, {
    'src/index.ts': source,
    'tsconfig.json': JSON.stringify({
      compilerOptions: { ...compilerOptions, ...options },
      include: ['src'],
    }),
  })
  try {
    const tsc = join(runtime, 'node_modules/typescript/bin/tsc')
    return await run(process.execPath, [tsc, '-p', '.'], { cwd: project.dir }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout || String(error),
    )
  } finally {
    project.remove()
  }
}

describe('the packed declarations, compiled by the newest TypeScript', () => {
  it('type-check aghanim-webhooks and /hono, with an OpenTelemetry tracer, in a project without @types/node', async () => {
    const typescript = await newestTypeScript()
    const runtime = await cachedInstall('typescript', {
      typescript,
      '@opentelemetry/api': runtimeVersions.opentelemetry['@opentelemetry/api'],
    })
    expect(await typeCheck(runtime, webConsumer, { lib: ['ES2022', 'DOM'], types: [] })).toBe('')
  }, 180_000)

  it('type-check the Node adapters, which load Node types themselves', async () => {
    const typescript = await newestTypeScript()
    const runtime = await cachedInstall('typescript-node', {
      typescript,
      '@types/node': runtimeVersions.nestjs['@types/node'],
    })
    expect(await typeCheck(runtime, nodeConsumer, { lib: ['ES2022'], types: [] })).toBe('')
  }, 180_000)
})
