import { mkdtempSync, rmSync } from 'node:fs'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from '../support/postgres.js'
import {
  checkGrants,
  createPlayers,
  FAULT_ADMIN_TOKEN,
  FAULT_PLAYERS,
  FAULT_SECRET,
  sleep,
} from './support/fault-load.js'
import { ensureBuilt, failedStart, spawnServer } from './support/server-process.js'
import { type DeliveryAnswer, deliver, grantBody } from './support/signed-delivery.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-restarts-'))
const schema = uniqueSchema()
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await dropSchema(schema)
})

const secretEnv = { AGHANIM_WEBHOOK_SECRET: FAULT_SECRET, ADMIN_TOKEN: FAULT_ADMIN_TOKEN }

describe.concurrent('start-up races and restarts', () => {
  test('20 starts of `serve --workers 2` on fresh data directories all come up', async () => {
    ensureBuilt()
    const failures: string[] = []
    const startMs: number[] = []
    const startOnce = async (index: number) => {
      const dataDir = join(dir, `workers-${index}`)
      const started = performance.now()
      try {
        const server = await spawnServer({
          env: { ...secretEnv, DATA_DIR: dataDir },
          args: ['--workers', '2'],
        })
        startMs.push(Math.round(performance.now() - started))
        const ready = await fetch(`${server.url}/readyz`)
        const exit = await server.kill('SIGTERM')
        if (ready.status !== 200 || exit.code !== 0 || server.stderr() !== '')
          failures.push(
            `start ${index}: readyz ${ready.status}, exit ${exit.code}, stderr ${server.stderr()}`,
          )
      } catch (error) {
        failures.push(`start ${index}: ${(error as Error).message.split('\n').slice(0, 4).join(' ')}`)
      }
    }
    // Four at a time: the machine's cores are contended, as when a fleet starts together.
    for (let batch = 0; batch < 20; batch += 4)
      await Promise.all([0, 1, 2, 3].map((offset) => startOnce(batch + offset)))
    console.log(
      `--workers 2 on fresh directories: ${20 - failures.length}/20 started, in ${Math.min(...startMs)}–${Math.max(...startMs)} ms`,
    )
    expect(failures).toEqual([])
  }, 120_000)

  test('an SQLite file another process keeps locked: start-up waits for it, then fails clearly with exit 2', async () => {
    ensureBuilt()
    const path = join(dir, 'locked.db')
    const holder = new DatabaseSync(path)
    holder.exec(
      'PRAGMA journal_mode = WAL; CREATE TABLE held (x); BEGIN IMMEDIATE; INSERT INTO held VALUES (1)',
    )
    const env = { ...secretEnv, DATABASE_URL: `sqlite:${path}` }
    try {
      const { failure, gaveUpMs } = await failedStart({ ...env, DATABASE_WAIT_MS: '1000' })
      expect(failure).toContain('exited with 2')
      expect(failure).toContain(`cannot start: the SQLite file ${path} is locked by another process (waited`)
      expect(failure).toContain('Stop the other process, or point DATABASE_URL at another file.')

      // The lock is let go 1 s after the next start began: that start waits, then serves.
      const spawnedAt = performance.now()
      setTimeout(() => holder.exec('COMMIT'), 1000)
      const server = await spawnServer({ env })
      const readyMs = Math.round(performance.now() - spawnedAt)
      try {
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
        expect(server.stderr()).toBe('')
      } finally {
        await server.kill()
      }
      console.log(
        `SQLite locked at start: gave up after ${gaveUpMs} ms (DATABASE_WAIT_MS=1000); listening ${readyMs} ms after spawn, the lock let go at 1000 ms`,
      )
    } finally {
      holder.close()
    }
  }, 60_000)

  test.each([
    ['SQLite', () => ({ DATABASE_URL: `sqlite:${join(dir, 'killed.db')}` })],
    ['PostgreSQL', () => ({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema })],
  ])(
    'kill -9 under load, then every unanswered delivery retried at once: none refused (%s)',
    async (name, database) => {
      ensureBuilt()
      const env = { ...secretEnv, ...database() }
      const acknowledged = new Map<string, { playerId: string; quantity: number }>()
      const retried: DeliveryAnswer[] = []
      const retryMs: number[] = []
      let serial = 0
      for (let round = 1; round <= 3; round += 1) {
        const server = await spawnServer({ env })
        if (round === 1) await createPlayers(server.url)
        const agent = new Agent({ keepAlive: true, maxSockets: 12 })
        const unanswered = new Map<string, { body: string; playerId: string; quantity: number }>()
        let killed = false
        const client = async () => {
          while (!killed) {
            serial += 1
            const key = `idmpt_killed_${name}_${round}_${serial}`
            const grant = { playerId: FAULT_PLAYERS[serial % 3]!, quantity: 1 + (serial % 5) }
            const body = grantBody(key, grant.playerId, 'gems', grant.quantity)
            try {
              const answer = await deliver(`${server.url}/webhook`, FAULT_SECRET, body, agent)
              if (answer.status === 200) acknowledged.set(key, grant)
              else unanswered.set(key, { body, ...grant })
            } catch {
              unanswered.set(key, { body, ...grant })
              return
            }
          }
        }
        const clients = Array.from({ length: 12 }, client)
        while (acknowledged.size < round * 30) await sleep(5)
        killed = true
        server.child.kill('SIGKILL')
        await server.exited
        await Promise.all(clients)
        agent.destroy()

        // Restarted at once; each delivery that got no answer retried once, all together, as soon as it listens.
        const restarted = await spawnServer({ env })
        try {
          const started = performance.now()
          const answers = await Promise.all(
            [...unanswered].map(async ([key, grant]) => {
              const answer = await deliver(`${restarted.url}/webhook`, FAULT_SECRET, grant.body)
              if (answer.status === 200) acknowledged.set(key, grant)
              return answer
            }),
          )
          retryMs.push(Math.round(performance.now() - started))
          retried.push(...answers)
          expect(restarted.stderr()).toBe('')
        } finally {
          await restarted.kill()
        }
      }
      const refused = retried.filter((answer) => answer.status !== 200)
      console.log(
        `kill -9 (${name}): ${retried.length} unanswered deliveries over 3 kills, retried at once after each restart: ${retried.length - refused.length} answered 200 in ${retryMs.join('/')} ms`,
      )
      expect(refused.map((answer) => `${answer.status} ${answer.body}`)).toEqual([])
      expect(retried.length).toBeGreaterThan(0)
      checkGrants(acknowledged, await grantRows(name, join(dir, 'killed.db')))
    },
    90_000,
  )
})

async function grantRows(name: string, sqlitePath: string) {
  const rows =
    name === 'SQLite'
      ? (() => {
          const db = new DatabaseSync(sqlitePath, { readOnly: true })
          try {
            return db.prepare('SELECT idempotency_key, applied FROM inventory_history').all()
          } finally {
            db.close()
          }
        })()
      : await queryPostgres(schema, 'SELECT idempotency_key, applied FROM inventory_history')
  return rows.map((row) => ({ key: String(row.idempotency_key), quantity: Number(row.applied) }))
}
