import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { fixtureEvent, signedHeaders } from 'aghanim-webhooks'
import { afterAll, describe, expect, test } from 'vitest'
import { deliveryFileIndexes } from '../../../test-support/delivery-file-indexes.mjs'
import { useTempDirs } from '../../../test-support/temp-dirs.js'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from './support/postgres.js'
import { killAllServe, spawnServe } from './support/serve-process.js'
import { ADMIN_TOKEN, grant, SECRET } from './support/test-server.js'

const run = promisify(execFile)
const REPOSITORY_ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const tempDir = useTempDirs('serve')
afterAll(() => {
  killAllServe()
})

async function post(url: string, body: string, secret = SECRET): Promise<Response> {
  const headers = await signedHeaders({ secret, timestamp: Math.floor(Date.now() / 1000), body })
  return fetch(`${url}/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

describe('aghanim-webhooks serve (a real process)', () => {
  test('a development start generates a secret and prints a test command that works', async () => {
    const dir = tempDir()
    const serve = spawnServe(['--port', '0', '--host', '127.0.0.1'], { cwd: dir, env: { LOG_LEVEL: 'warn' } })
    const url = await serve.ready
    const out = serve.stdout()
    const secret = /secret +(whsec_dev_\S+) \(development; generated and kept in (\S+)\)/.exec(out)
    expect(secret, out).not.toBeNull()
    expect(secret![2]).toBe(join(dir, 'data', 'webhook-secret'))
    expect(out).toContain(`webhook     POST ${url}/webhook`)
    expect(out).toContain(`inspector   ${url}/inspector/`)
    expect(out).toContain('loopback clients only (set ADMIN_TOKEN')
    expect(out).toContain(
      `npx aghanim-webhooks send player.verify --url ${url}/webhook --secret ${secret![1]} --player testplayer`,
    )
    // The curl line, pasted: its headers and body as printed.
    const timestamp = /x-aghanim-signature-timestamp: (\d+)/.exec(out)![1]!
    const signature = /x-aghanim-signature: ([0-9a-f]{64})/.exec(out)![1]!
    const body = /--data-raw '([^']+)'/.exec(out)![1]!
    const answer = await fetch(`${url}/webhook`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-aghanim-signature-timestamp': timestamp,
        'x-aghanim-signature': signature,
      },
    })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ player_id: 'testplayer', name: 'Test Player' })
    // The npx line, pasted at the repository root (npx finds the workspace's bin).
    const npxArgs = /npx (aghanim-webhooks send player\.verify [^\n]+)/.exec(out)![1]!.trim().split(' ')
    const sent = await run('npx', npxArgs, { cwd: REPOSITORY_ROOT, env: { ...process.env, NO_COLOR: '1' } })
    expect(sent.stdout).toMatch(/\b200\b/)
    expect(sent.stdout).toContain('testplayer')
    const ready = /ready in (\d+) ms/.exec(out)
    expect(ready).not.toBeNull()
    console.info(`serve: ready ${ready![1]} ms after process start (TypeScript sources, SQLite)`)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
  })

  test('--handlers loads a TypeScript module (Node strips its types)', async () => {
    const dir = tempDir()
    const handlers = join(dir, 'my-handlers.ts')
    writeFileSync(
      handlers,
      `interface VerifyEvent { event_data: { player_id: string } }
       type Router = { on(type: string, handler: (event: VerifyEvent) => unknown): unknown }
       export default function (router: Router): void {
         router.on('player.verify', (event: VerifyEvent) => ({ player_id: event.event_data.player_id, name: 'Typed', attributes: {} }))
       }`,
    )
    const serve = spawnServe(['--port', '0', '--host', '127.0.0.1', '--handlers', handlers], {
      cwd: dir,
      env: { AGHANIM_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'warn' },
    })
    const url = await serve.ready
    const answer = await post(
      url,
      JSON.stringify(fixtureEvent('player.verify', { event_data: { player_id: 'p_ts' } })),
    )
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ player_id: 'p_ts', name: 'Typed' })
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
  })

  test('refuses to start in production without a secret, with exit code 2 and one line', async () => {
    const serve = spawnServe(['--port', '0'], { cwd: tempDir(), env: { NODE_ENV: 'production' } })
    expect(await serve.exited).toBe(2)
    expect(serve.stderr()).toMatch(
      /^aghanim-webhooks serve: NODE_ENV=production needs a webhook secret[^\n]*\n$/,
    )
    expect(serve.stdout()).toBe('')
  })

  test('--workers 2 shares the port between two processes and shuts both down on SIGTERM', async () => {
    const serve = spawnServe(['--port', '0', '--host', '127.0.0.1', '--workers', '2'], {
      cwd: tempDir(),
      env: { AGHANIM_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'info' },
    })
    const url = await serve.ready
    expect(serve.stdout()).toContain('2 worker processes')
    // One live stream, held by one worker, sees the deliveries both workers answer (relayed by the primary).
    const stream = await fetch(`${url}/api/deliveries/stream`)
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    let events = ''
    const twenty = (async () => {
      while ((events.match(/event: delivery\n/g) ?? []).length < 20)
        events += (await reader.read()).value ?? ''
    })()
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(url, JSON.stringify(grant('testplayer', 'gems', 1))).then((r) => r.status),
      ),
    )
    expect(answers.every((status) => status === 200)).toBe(true)
    // Delivery lines are written in batches (within 100 ms).
    const pids = () =>
      new Set(
        serve
          .stdout()
          .split('\n')
          .filter((line) => line.includes('"msg":"delivery"'))
          .map((line) => JSON.parse(line).pid),
      )
    await expect.poll(() => pids().size, { timeout: 5000, interval: 20 }).toBe(2)
    await twenty
    await reader.cancel()
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(/aghanim_webhook_deliveries_total\{event_type="item.add",outcome="ok"\} 20/)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
  })
})

describe('aghanim-webhooks serve with several games (a real process)', () => {
  test('--workers 2 serves every game in both workers, each game in its own ledger', async () => {
    const serve = spawnServe(['--port', '0', '--host', '127.0.0.1', '--workers', '2'], {
      cwd: tempDir(),
      env: { AGHANIM_GAME_SECRETS: 'gm_a=whsec_proc_a;gm_b=whsec_proc_b', LOG_LEVEL: 'info' },
    })
    const url = await serve.ready
    const out = serve.stdout()
    expect(out).toContain('games       gm_a, gm_b; sandbox deliveries keep a ledger of their own per game')
    expect(out).toContain('--secret <your-secret> --player testplayer --set game_id=gm_a')
    expect(out).not.toContain('whsec_proc')
    // The development seed's player is the first game's; the other game's ledger does not know it.
    const verify = (game: string) =>
      JSON.stringify(
        fixtureEvent('player.verify', { game_id: game, event_data: { player_id: 'testplayer' } }),
      )
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? post(url, verify('gm_b'), 'whsec_proc_b').then((r) => r.status)
          : post(url, verify('gm_a'), 'whsec_proc_a').then((r) => r.status),
      ),
    )
    expect(answers).toEqual([200, 404, 200, 404, 200, 404, 200, 404, 200, 404])
    expect((await post(url, verify('gm_b'), 'whsec_proc_a')).status).toBe(403)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
  })
})

describe.each([
  ['SQLite', async () => ({ env: {} as Record<string, string>, schema: undefined as string | undefined })],
  [
    'PostgreSQL',
    async () => {
      const schema = uniqueSchema()
      return { env: { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }, schema }
    },
  ],
])('graceful shutdown under load (%s)', (name, database) => {
  test('SIGTERM while grants are in flight: every acknowledged grant is in the ledger once, exit code 0', async () => {
    const dir = tempDir()
    const db = await database()
    try {
      const serve = spawnServe(['--port', '0', '--host', '127.0.0.1'], {
        cwd: dir,
        env: { AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN, LOG_LEVEL: 'warn', ...db.env },
      })
      const url = await serve.ready
      await fetch(`${url}/api/players/p_load`, {
        method: 'PUT',
        body: JSON.stringify({ name: 'Load' }),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      })
      const acknowledged: string[] = []
      let signalled = false
      const client = async () => {
        for (;;) {
          const event = grant('p_load', 'gems', 1)
          try {
            const response = await post(url, JSON.stringify(event))
            await response.arrayBuffer()
            if (response.status === 200) acknowledged.push(event.idempotency_key!)
          } catch {
            return // the server stopped accepting
          }
          if (acknowledged.length >= 40 && !signalled) {
            signalled = true
            serve.child.kill('SIGTERM')
          }
        }
      }
      await Promise.all(Array.from({ length: 12 }, client))
      expect(await serve.exited).toBe(0)
      expect(acknowledged.length).toBeGreaterThanOrEqual(40)

      const rows = db.schema
        ? await queryPostgres(
            db.schema,
            "SELECT idempotency_key FROM inventory_history WHERE player_id = 'p_load'",
          )
        : readSqlite(
            join(dir, 'data', 'aghanim-webhooks.db'),
            "SELECT idempotency_key FROM inventory_history WHERE player_id = 'p_load'",
          )
      const keys = rows.map((row) => String(row.idempotency_key))
      for (const key of acknowledged)
        expect(
          keys.filter((k) => k === key),
          `${name}: ${key}`,
        ).toHaveLength(1)
      const inventory = db.schema
        ? await queryPostgres(db.schema, "SELECT quantity FROM inventory WHERE player_id = 'p_load'")
        : readSqlite(
            join(dir, 'data', 'aghanim-webhooks.db'),
            "SELECT quantity FROM inventory WHERE player_id = 'p_load'",
          )
      expect(Number(inventory[0]!.quantity)).toBe(keys.length)
    } finally {
      if (db.schema) await dropSchema(db.schema)
    }
  })

  test('SIGTERM while a request whose client hung up is still handled: its delivery is logged all the same', async () => {
    const dir = tempDir()
    const db = await database()
    try {
      const handlers = join(dir, 'slow-handlers.mjs')
      writeFileSync(
        handlers,
        `export default function (router) {
           router.on('player.verify', async (event) => {
             await new Promise((resolve) => setTimeout(resolve, 1500))
             return { player_id: event.event_data.player_id, name: 'Slow', attributes: {} }
           })
         }`,
      )
      const serve = spawnServe(['--port', '0', '--host', '127.0.0.1', '--handlers', handlers], {
        cwd: dir,
        env: { AGHANIM_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'warn', ...db.env },
      })
      const url = await serve.ready
      const event = fixtureEvent('player.verify', { event_data: { player_id: 'p_gone' } })
      const body = JSON.stringify(event)
      const headers = await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })
      const hangUp = new AbortController()
      const sent = fetch(`${url}/webhook`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        signal: hangUp.signal,
      }).catch(() => 'hung up')
      await new Promise((resolve) => setTimeout(resolve, 300))
      hangUp.abort()
      expect(await sent).toBe('hung up')
      serve.child.kill('SIGTERM')
      expect(await serve.exited).toBe(0)
      expect(serve.stdout() + serve.stderr()).not.toMatch(/could not write the delivery log/)
      const logged = db.schema
        ? await queryPostgres(db.schema, 'SELECT event_id FROM delivery_log')
        : deliveryFileIndexes(join(dir, 'data')).flatMap((index) =>
            readSqlite(index, 'SELECT event_id FROM deliveries'),
          )
      expect(logged.map((row) => row.event_id)).toContain(event.event_id)
    } finally {
      if (db.schema) await dropSchema(db.schema)
    }
  })
})

function readSqlite(path: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return db.prepare(sql).all() as Record<string, unknown>[]
  } finally {
    db.close()
  }
}
