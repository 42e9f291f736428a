import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { signedHeaders } from 'aghanim-webhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { fixtureEvent } from '../../src/events/fixtures.js'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const MARKER = '<!-- readme-snippet: runs in test/adapters/readme-snippets.test.ts -->'
const SECRET = 'whsec_readme_snippets'

/** The README's framework section's runnable snippets: each code block right after the marker. */
function snippets(): { title: string; code: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('<!-- frameworks:start -->'),
    readme.indexOf('<!-- frameworks:end -->'),
  )
  return section
    .split(MARKER)
    .slice(1)
    .map((part) => {
      const code = /^\s*```ts\n([\s\S]*?)\n```/.exec(part)?.[1] ?? ''
      return { title: /from 'aghanim-webhooks\/(\w+)'/.exec(code)?.[1] ?? 'unknown', code }
    })
}

// Snippets run from the repository (so `aghanim-webhooks` resolves through node_modules to the built
// package), in a gitignored directory. A preload reports the port each snippet's server listens on.
const dir = join(root, 'test-output', `readme-${randomUUID()}`)
const preload = join(dir, 'report-port.mjs')
const children: ChildProcess[] = []

afterAll(() => {
  for (const child of children) child.kill()
  rmSync(dir, { recursive: true, force: true })
})

async function run(title: string, code: string): Promise<string> {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    preload,
    "import net from 'node:net'\nconst listen = net.Server.prototype.listen\n" +
      'net.Server.prototype.listen = function (...args) {\n' +
      "  this.once('listening', () => process.send({ port: this.address().port }))\n" +
      '  return listen.apply(this, args)\n}\n',
  )
  const file = join(dir, `${title}.ts`)
  writeFileSync(file, code)
  const child = fork(file, {
    cwd: root,
    execArgv: ['--experimental-strip-types', '--no-warnings', '--import', preload],
    env: { ...process.env, AGHANIM_WEBHOOK_SECRET: SECRET, PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const port = await Promise.race([
    once(child, 'message').then(([message]) => (message as { port: number }).port),
    once(child, 'exit').then(([code]) => {
      throw new Error(`The ${title} snippet exited (${code}) before listening:\n${stderr}`)
    }),
  ])
  return `http://127.0.0.1:${port}/webhook`
}

async function deliver(url: string, event: unknown): Promise<Response> {
  const body = JSON.stringify(event)
  const signature = await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signature } })
}

describe('the README framework snippets, run as written', () => {
  it('are there: Express, Hono, Fastify and node:http', () => {
    expect(snippets().map((snippet) => snippet.title)).toEqual(['express', 'hono', 'fastify', 'node'])
  })

  it('need the built package (npm test builds it before running vitest)', () => {
    expect(existsSync(join(root, 'packages/webhooks/dist/adapters/express.js'))).toBe(true)
  })

  it.each(snippets())(
    'the $title snippet verifies, answers and grants as written',
    async ({ title, code }) => {
      const url = await run(title, code)
      const grant = await deliver(url, fixtureEvent('item.add'))
      expect([grant.status, await grant.text()]).toEqual([200, '{"status":"ok"}'])
      const forged = await fetch(url, {
        method: 'POST',
        body: '{}',
        headers: { 'x-aghanim-signature': '0'.repeat(64), 'x-aghanim-signature-timestamp': '1' },
      })
      expect(forged.status).toBe(403)
      if (!code.includes("'player.verify'")) return
      const verify = await deliver(
        url,
        fixtureEvent('player.verify', { event_data: { player_id: 'p_readme' } }),
      )
      expect(await verify.json()).toEqual({ player_id: 'p_readme', name: 'Molly', attributes: {} })
    },
  )
})
