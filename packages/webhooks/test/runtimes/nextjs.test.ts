import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe } from 'vitest'
import { SECRET } from './support/check-endpoint.js'
import { startEndpoint } from './support/endpoint-process.js'
import { itPassesCheck, snippetProject } from './support/runtime-case.js'
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
      const { runtime, dir } = await snippetProject(
        'nextjs',
        { 'lib/aghanim-router.ts': 'router.ts', 'app/webhook/route.ts': 'nextjs' },
        defer,
        { 'tsconfig.json': JSON.stringify(tsconfig, null, 2) },
      )
      const next = join(runtime, 'node_modules/next/dist/bin/next')
      // Built without the secret, as a CI build is: the route must not need it until it is called.
      const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', AGHANIM_WEBHOOK_SECRET: '' }
      await run(process.execPath, [next, 'build'], {
        cwd: dir,
        env,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string }) => {
        throw new Error(`next build failed:\n${error.stdout}\n${error.stderr}`)
      })
      return startEndpoint(process.execPath, [next, 'start', '--hostname', '127.0.0.1'], {
        cwd: dir,
        env: { NEXT_TELEMETRY_DISABLED: '1', AGHANIM_WEBHOOK_SECRET: SECRET },
      })
    },
  )
})
