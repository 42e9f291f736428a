import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe } from 'vitest'
import { cachedInstall } from './support/cached-install.js'
import { SECRET } from './support/check-endpoint.js'
import { consumerProject } from './support/consumer-project.js'
import { startEndpoint } from './support/endpoint-process.js'
import { runtimeSnippet } from './support/readme-snippets.js'
import { itPassesCheck } from './support/runtime-case.js'
import { runtimeVersions } from './support/versions.js'

const run = promisify(execFile)

// create-next-app's TypeScript settings, with its `@/` alias, which the README snippet imports through.
const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['dom', 'dom.iterable', 'esnext'],
    strict: true,
    noEmit: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'react-jsx',
    incremental: true,
    skipLibCheck: true,
    plugins: [{ name: 'next' }],
    paths: { '@/*': ['./*'] },
  },
  include: ['next-env.d.ts', '**/*.ts', '**/*.tsx', '.next/types/**/*.ts'],
  exclude: ['node_modules'],
}

describe(`Next.js ${runtimeVersions.nextjs.next} (App Router, next build + next start)`, () => {
  itPassesCheck(
    'builds and serves the README route on the packed package and passes check',
    async (defer) => {
      const runtime = await cachedInstall('nextjs', runtimeVersions.nextjs)
      const project = await consumerProject(runtime, {
        'lib/aghanim-router.ts': runtimeSnippet('router.ts'),
        'app/webhook/route.ts': runtimeSnippet('nextjs'),
        'tsconfig.json': JSON.stringify(tsconfig, null, 2),
      })
      defer(project.remove)
      const next = join(runtime, 'node_modules/next/dist/bin/next')
      // Built without the secret, as a CI build is: the route must not need it until it is called.
      const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', AGHANIM_WEBHOOK_SECRET: '' }
      await run(process.execPath, [next, 'build'], {
        cwd: project.dir,
        env,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string }) => {
        throw new Error(`next build failed:\n${error.stdout}\n${error.stderr}`)
      })
      return startEndpoint(process.execPath, [next, 'start', '--hostname', '127.0.0.1'], {
        cwd: project.dir,
        env: { NEXT_TELEMETRY_DISABLED: '1', AGHANIM_WEBHOOK_SECRET: SECRET },
      })
    },
  )
})
