import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventTypes, fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { authorizeAdmin } from '../../src/http/admin-auth.js'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from '../support/postgres.js'
import { ensureBuilt, type ServerProcess, spawnServer, useServedSqlite } from './support/server-process.js'
import { deliver } from './support/signed-delivery.js'

// Distinctive values, so a grep cannot miss them (and cannot match anything else).
const SECRET = 'whsec_SECRET_Jq9Zt4Wm7Pv2'
const OLD_SECRET = 'whsec_OLDSECRET_Ub3Yh6Kc1Nr8'
const ADMIN_TOKEN = 'admin_TOKEN_Ef5Gs2Lx9Dq4'
const WRONG_TOKEN = 'guess_TOKEN_Ra8Mn3Vt6Bw1'
const DB_PASSWORD = 'dbpass_SECRET_Hk7Cz2Qj5Xs9'
const NEEDLES = [SECRET, OLD_SECRET, ADMIN_TOKEN, WRONG_TOKEN, DB_PASSWORD]

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

/** Every kind of traffic that could carry a credential somewhere: deliveries of every type, bad signatures,
 * credentials sent where they do not belong, admin calls right and wrong, a replay, a handler that throws. */
async function exercise(server: ServerProcess): Promise<string[]> {
  const seen: string[] = []
  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, init)
    seen.push(await response.text())
    return response
  }
  expect(
    (
      await api('/api/players/sec_player', {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"name":"Sec"}',
      })
    ).status,
  ).toBe(201)
  for (const type of eventTypes) {
    const overrides =
      type.startsWith('player.') || type.startsWith('item.')
        ? { event_data: { player_id: 'sec_player' } }
        : {}
    seen.push(
      (await deliver(`${server.url}/webhook`, SECRET, JSON.stringify(fixtureEvent(type, overrides as never))))
        .body,
    )
  }
  seen.push(
    (await deliver(`${server.url}/webhook`, OLD_SECRET, JSON.stringify(fixtureEvent('order.paid')))).body,
  )
  seen.push(
    (await deliver(`${server.url}/webhook`, 'not-the-secret', JSON.stringify(fixtureEvent('order.paid'))))
      .body,
  )
  // Credentials a confused client might send to the webhook: recorded redacted, never verbatim.
  const confused: Record<string, string>[] = [
    { authorization: `Bearer ${ADMIN_TOKEN}` },
    { cookie: `session=${ADMIN_TOKEN}` },
    { 'x-api-key': SECRET },
    { 'proxy-authorization': `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` },
  ]
  for (const headers of confused) {
    const response = await fetch(`${server.url}/webhook`, { method: 'POST', headers, body: '{}' })
    seen.push(await response.text())
  }
  await api('/api/deliveries', { headers: { authorization: `Bearer ${WRONG_TOKEN}` } })
  await api(`/api/deliveries?token=${WRONG_TOKEN}`)
  const listed = await fetch(`${server.url}/api/deliveries?limit=1000`, { headers: auth })
  const list = (await listed.json()) as { deliveries: { id: string; outcome: string }[] }
  seen.push(JSON.stringify(list))
  const replayable = list.deliveries.find((delivery) => delivery.outcome === 'ok')!
  await api(`/api/deliveries/${replayable.id}/replay`, { method: 'POST', headers: auth })
  for (const delivery of list.deliveries) await api(`/api/deliveries/${delivery.id}`, { headers: auth })
  await api('/api/players/sec_player', { headers: auth })
  await api('/api/players/sec_player/history', { headers: auth })
  await api('/api/stats/deliveries', { headers: auth })
  await api('/metrics')
  await api('/readyz')
  await api('/inspector/')
  return seen
}

function expectNoNeedle(where: string, text: string): void {
  for (const needle of NEEDLES) expect(text.includes(needle), `${where} contains ${needle}`).toBe(false)
}

describe.each([
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
] as const)('nothing secret leaves the server (%s)', (_name, kind) => {
  let dir: string
  let schema: string
  let server: ServerProcess

  beforeAll(async () => {
    ensureBuilt()
    dir = mkdtempSync(join(tmpdir(), 'awh-security-'))
    schema = uniqueSchema()
    // A studio handler that throws: the error path logs a stack, which must not carry anything secret either.
    writeFileSync(
      join(dir, 'handlers.mjs'),
      "export default (router) => { router.on('order.refunded', () => { throw new Error('studio bug') }) }\n",
    )
    const url = new URL(POSTGRES_URL)
    url.password = DB_PASSWORD
    server = await spawnServer({
      env: {
        AGHANIM_WEBHOOK_SECRET: `${SECRET},${OLD_SECRET}`,
        ADMIN_TOKEN,
        LOG_LEVEL: 'trace',
        AGHANIM_HANDLERS: join(dir, 'handlers.mjs'),
        ...(kind === 'sqlite'
          ? { DATABASE_URL: `sqlite:${join(dir, 'security.db')}` }
          : { DATABASE_URL: url.toString(), DATABASE_SCHEMA: schema }),
      },
      cwd: dir,
    })
  })

  afterAll(async () => {
    await server?.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
    if (kind === 'postgres') await dropSchema(schema)
  })

  test('keeps the webhook secrets, the admin token, a guessed token and the database password out of logs, answers, the delivery log and the database', async () => {
    const answers = await exercise(server)
    await server.kill('SIGTERM') // flushes the delivery log and the last log lines
    expect(server.stdout()).toContain('"level":50') // the throwing handler was logged, stack and all
    expect(server.stdout()).toContain('studio bug')
    expectNoNeedle('stdout', server.stdout())
    expectNoNeedle('stderr', server.stderr())
    expectNoNeedle('answers', answers.join('\n'))
    if (kind === 'sqlite') {
      // The database, its WAL, and the delivery log's own files (index and body segments).
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
        (name) => name.startsWith('security.db') && statSync(join(dir, name)).isFile(),
      )
      expect(files.some((name) => name.endsWith('.seg'))).toBe(true)
      for (const name of files) expectNoNeedle(name, readFileSync(join(dir, name)).toString('latin1'))
    } else {
      const tables = await queryPostgres(
        schema,
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      )
      expect(tables.length).toBeGreaterThan(3)
      for (const { table_name: table } of tables) {
        const rows = await queryPostgres(
          schema,
          `SELECT row_to_json(t)::text AS json FROM "${String(table)}" t`,
        )
        expectNoNeedle(`table ${String(table)}`, rows.map((row) => row.json).join('\n'))
      }
    }
  }, 60_000)
})

describe('the admin API refuses requests without the token', () => {
  const t = useServedSqlite('admin-auth', { AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN })

  const routes = [
    ['GET', '/api/deliveries'],
    ['GET', '/api/deliveries/stream'],
    ['GET', '/api/deliveries/0mwrkr3m2-2kkde4xv1s3r'],
    ['POST', '/api/deliveries/0mwrkr3m2-2kkde4xv1s3r/replay'],
    ['GET', '/api/stats/deliveries'],
    ['GET', '/api/players/testplayer'],
    ['PUT', '/api/players/testplayer'],
    ['GET', '/api/players/testplayer/history'],
    ['GET', '/api/nothing-here'],
    ['DELETE', '/api/players/testplayer'],
  ] as const
  const wrongCredentials: Record<string, Record<string, string>> = {
    'no authorization': {},
    'a wrong token': { authorization: `Bearer ${WRONG_TOKEN}` },
    'the token one character short': { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` },
    'the token with a character more': { authorization: `Bearer ${ADMIN_TOKEN}x` },
    'the token in other case': { authorization: `Bearer ${ADMIN_TOKEN.toUpperCase()}` },
    'the token as Basic credentials': {
      authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
    },
    'the token without a scheme': { authorization: ADMIN_TOKEN },
    'the token in another header': { 'x-admin-token': ADMIN_TOKEN, cookie: `token=${ADMIN_TOKEN}` },
    'an empty bearer': { authorization: 'Bearer ' },
  }

  test.each(Object.entries(wrongCredentials))(
    'answers 401 to every route with %s',
    async (_name, headers) => {
      for (const [method, path] of routes) {
        const response = await fetch(`${t.server.url}${path}`, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          ...(method === 'PUT' ? { body: '{"name":"x"}' } : {}),
        })
        expect([method, path, response.status]).toEqual([method, path, 401])
        expect(await response.json()).toMatchObject({ status: 'error', code: 'unauthorized' })
      }
    },
  )

  test('answers 401 to the token in the query string (it would end up in proxy logs)', async () => {
    const response = await fetch(
      `${t.server.url}/api/deliveries?token=${ADMIN_TOKEN}&access_token=${ADMIN_TOKEN}`,
    )
    expect(response.status).toBe(401)
  })

  test('serves the inspector page itself without the token, with no credential in it', async () => {
    const response = await fetch(`${t.server.url}/inspector/`)
    expect(response.status).toBe(200)
    expectNoNeedle('inspector page', await response.text())
  })
})

describe('admin token comparison', () => {
  const request = (authorization: string) =>
    ({ headers: { authorization }, socket: { remoteAddress: '203.0.113.7' } }) as unknown as IncomingMessage

  test('compares digests of equal length, so a token of any length is refused with a 401 and never throws', () => {
    // A bare crypto.timingSafeEqual throws on inputs of different lengths, and an early-exit === leaks the
    // matching prefix's length through timing: the server hashes both sides first (admin-auth.ts).
    for (const given of [
      'a',
      ADMIN_TOKEN.slice(0, -1),
      `${ADMIN_TOKEN}${'x'.repeat(5000)}`,
      'é'.repeat(40),
    ]) {
      expect(() => authorizeAdmin(request(`Bearer ${given}`), ADMIN_TOKEN, { production: true })).toThrow(
        expect.objectContaining({ status: 401 }),
      )
    }
    expect(() =>
      authorizeAdmin(request(`Bearer ${ADMIN_TOKEN}`), ADMIN_TOKEN, { production: true }),
    ).not.toThrow()
  })
})

describe('configuration errors', () => {
  test('name the setting without echoing the database password or the secret', async () => {
    ensureBuilt()
    const url = new URL(POSTGRES_URL)
    url.password = DB_PASSWORD
    url.port = '1' // nothing listens there
    const failed = await spawnServer({
      env: {
        AGHANIM_WEBHOOK_SECRET: SECRET,
        ADMIN_TOKEN,
        DATABASE_URL: url.toString(),
        DATABASE_WAIT_MS: '500',
      },
      timeoutMs: 15_000,
    }).then(
      () => 'started',
      (error: Error) => error.message,
    )
    expect(failed).toMatch(/DATABASE_URL/)
    expectNoNeedle('startup error', String(failed))
  }, 40_000)
})
