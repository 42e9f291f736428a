import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ensureBuilt, spawnServer } from '../reliability/support/server-process.js'
import { deliver } from '../reliability/support/signed-delivery.js'
import { dropSchema, POSTGRES_URL, uniqueSchema } from '../support/postgres.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

const SECRET = 'whsec_forward_crash_Pq7Ls2'
const NOTIFICATIONS = 40
const dir = mkdtempSync(join(tmpdir(), 'awh-fwd-crash-'))
const schema = uniqueSchema()

let backend: NodeBackend
beforeAll(async () => {
  ensureBuilt()
  backend = await startNodeBackend()
})
afterAll(async () => {
  await backend?.close()
  rmSync(dir, { recursive: true, force: true })
  await dropSchema(schema)
})

const databases = [
  ['SQLite', { DATABASE_URL: `sqlite:${join(dir, 'forward.db')}` }],
  ['PostgreSQL', { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }],
] as const

describe('forward mode: kill -9 with notifications still in the outbox', () => {
  test.each(databases)(
    'delivers every acknowledged notification after a restart (%s)',
    async (name, database) => {
      const env = {
        ...database,
        AGHANIM_WEBHOOK_SECRET: SECRET,
        FORWARD_TO: backend.url,
        FORWARD_SECRET: 'fwd_crash_secret',
        FORWARD_ASYNC: 'notifications',
        FORWARD_TIMEOUT_MS: '1000',
        FORWARD_RETRY_SCHEDULE: Array.from({ length: 50 }, () => '100ms').join(','),
      }
      // The backend is down (a slow 503) while the notifications arrive: each is acknowledged, none delivered, and
      // the kill finds some in flight, leased to the dead process (they wait for the lease to expire).
      let up = false
      backend.answer(() =>
        up ? { status: 200, body: { status: 'ok' } } : { status: 503, body: {}, delayMs: 300 },
      )
      const first = await spawnServer({ env })
      const acknowledged: string[] = []
      for (let index = 0; index < NOTIFICATIONS; index++) {
        const event = fixtureEvent('order.paid', {
          event_id: `whevt_crash_${name}_${index}`,
          event_data: { id: `ord_crash_${index}`, player_id: `crash_player_${index % 4}` },
        })
        const answer = await deliver(`${first.url}/webhook`, SECRET, JSON.stringify(event))
        expect(answer.status).toBe(200)
        acknowledged.push(event.event_id)
      }
      await expect.poll(() => backend.calls.length).toBeGreaterThan(0)
      await first.kill('SIGKILL')
      expect(acknowledged.filter((id) => succeeded().has(id))).toEqual([])

      up = true
      const second = await spawnServer({ env })
      try {
        await expect
          .poll(() => acknowledged.filter((id) => succeeded().has(id)).length, {
            timeout: 20_000,
            interval: 100,
          })
          .toBe(NOTIFICATIONS)
      } finally {
        await second.kill('SIGTERM')
      }
    },
    60_000,
  )
})

/** The event ids the backend answered 200 for. */
const succeeded = () =>
  new Set(backend.calls.filter((call) => call.answered === 200).map((call) => call.event.event_id))
