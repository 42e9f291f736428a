import { describe } from 'vitest'
import { SECRET } from './support/check-endpoint.js'
import { startEndpoint } from './support/endpoint-process.js'
import { itPassesCheck, snippetProject } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

// What `wrangler dev` does, in two steps: bundle with esbuild for workerd (platform "neutral": a Node
// built-in anywhere in the import graph fails the build), then serve it on workerd through Miniflare,
// without nodejs_compat, with the secret as a binding.
const serveWorker = `
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/worker.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  logLevel: 'warning',
})
const worker = new Miniflare({
  modules: true,
  scriptPath: 'dist/worker.js',
  compatibilityDate: '2026-07-01',
  bindings: { AGHANIM_WEBHOOK_SECRET: process.env.AGHANIM_WEBHOOK_SECRET },
  host: '127.0.0.1',
  port: Number(process.env.PORT),
})
console.log('ready on', String(await worker.ready))
process.on('SIGTERM', () => worker.dispose().then(() => process.exit(0)))
`

describe(`Cloudflare Workers (workerd through Miniflare ${runtimeVersions.workers.miniflare})`, () => {
  itPassesCheck('runs the README snippet on the packed package and passes check', async (defer) => {
    const { dir } = await snippetProject(
      'workers',
      { 'src/router.ts': 'router.ts', 'src/index.ts': 'workers' },
      defer,
      { 'serve-worker.mjs': serveWorker },
    )
    return startEndpoint(process.execPath, ['serve-worker.mjs'], {
      cwd: dir,
      env: { AGHANIM_WEBHOOK_SECRET: SECRET },
    })
  })
})
