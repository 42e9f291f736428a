import { Agent } from 'node:http'
import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ensureBuilt, type ServerProcess, spawnServer } from '../reliability/support/server-process.js'
import { deliver, grantBody } from '../reliability/support/signed-delivery.js'
import { dropSchema, POSTGRES_URL, uniqueSchema } from '../support/postgres.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

const SECRET = 'whsec_forward_pg_Hn3Kd8'
const INSTANCES = 3
const KEYS = 6
const COPIES = 200

describe('forward mode: three server processes on one PostgreSQL schema', () => {
  const schema = uniqueSchema()
  let backend: NodeBackend
  let servers: ServerProcess[] = []

  beforeAll(async () => {
    ensureBuilt()
    backend = await startNodeBackend()
    const env = {
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      AGHANIM_WEBHOOK_SECRET: SECRET,
      FORWARD_TO: backend.url,
      FORWARD_SECRET: 'fwd_pg_secret',
      FORWARD_ASYNC: 'notifications',
      FORWARD_RETRY_SCHEDULE: '50ms,50ms,50ms,50ms,50ms',
    }
    servers = [await spawnServer({ env })]
    servers.push(...(await Promise.all(Array.from({ length: INSTANCES - 1 }, () => spawnServer({ env })))))
  }, 60_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGTERM')))
    await backend?.close()
    await dropSchema(schema)
  })

  test(`calls the backend once per key when ${COPIES} copies of each of ${KEYS} keys arrive at once over ${INSTANCES} instances`, async () => {
    // Slow enough that copies arrive while the first call is in flight; every fourth key is declined.
    backend.answer(({ event }) => {
      const sku = (event.event_data.items as { sku: string }[])[0]!.sku
      return sku === 'declined'
        ? { status: 400, body: { status: 'error', code: 'declined', message: 'No' }, delayMs: 150 }
        : { status: 200, body: { status: 'ok', granted: sku }, delayMs: 150 }
    })
    const keys = Array.from({ length: KEYS }, (_, index) => `idmpt_fwd_pg_${index}_${Date.now()}`)
    const agents = servers.map(() => new Agent({ keepAlive: true, maxSockets: 256 }))
    const sent = keys.flatMap((key, index) =>
      Array.from({ length: COPIES }, (_, copy) => {
        const instance = (copy + index) % INSTANCES
        const body = grantBody(key, 'pg_player', index % 4 === 3 ? 'declined' : `sku_${index}`, 1)
        return deliver(`${servers[instance]!.url}/webhook`, SECRET, body, agents[instance]).then(
          (answer) => ({ key, answer }),
        )
      }),
    )
    const answers = await Promise.all(sent)
    for (const agent of agents) agent.destroy()

    const callsPerKey = new Map<string, number>()
    for (const call of backend.calls) {
      const key = String(call.headers['x-aghanim-idempotency-key'])
      callsPerKey.set(key, (callsPerKey.get(key) ?? 0) + 1)
    }
    expect(Object.fromEntries(callsPerKey)).toEqual(Object.fromEntries(keys.map((key) => [key, 1])))
    for (const [index, key] of keys.entries()) {
      const mine = answers.filter((answer) => answer.key === key).map((answer) => answer.answer)
      expect(new Set(mine.map((answer) => `${answer.status} ${answer.body}`)).size).toBe(1)
      expect(mine[0]!.status).toBe(index % 4 === 3 ? 400 : 200)
      expect(mine.filter((answer) => answer.replay)).toHaveLength(COPIES - 1)
    }
  }, 60_000)

  test("the instances share the outbox: every notification delivered, each player's in order", async () => {
    backend.calls.length = 0
    let failures = 0
    // Every fifth call fails once, so retries interleave with first attempts on other instances.
    backend.answer(() =>
      ++failures % 5 === 0 ? { status: 503, body: {} } : { status: 200, body: { status: 'ok' } },
    )
    const players = ['pg_a', 'pg_b', 'pg_c', 'pg_d']
    const PER_PLAYER = 15
    for (let index = 0; index < PER_PLAYER; index++) {
      await Promise.all(
        players.map(async (player, p) => {
          const body = JSON.stringify(
            fixtureEvent('order.paid', {
              event_id: `whevt_${player}_${index}`,
              idempotency_key: `idm_${player}_${index}_${schema}`,
              event_data: { id: `ord_${index}`, player_id: player },
            }),
          )
          const answer = await deliver(`${servers[(index + p) % INSTANCES]!.url}/webhook`, SECRET, body)
          expect(answer.status).toBe(200)
        }),
      )
    }
    const delivered = () => backend.calls.filter((call) => call.event.event_type === 'order.paid')
    const succeeded = (player: string) =>
      new Set(
        delivered()
          .filter((call) => call.event.event_data.player_id === player && call.answered === 200)
          .map((call) => call.headers['x-aghanim-delivery-id']),
      ).size
    await expect
      .poll(() => players.map(succeeded), { timeout: 20_000, interval: 100 })
      .toEqual(players.map(() => PER_PLAYER))
    for (const player of players) {
      const orders = delivered()
        .filter((call) => call.event.event_data.player_id === player)
        .map((call) => Number(String(call.event.event_data.id).slice(4)))
      // Retries repeat an order, never go back to an earlier one.
      expect(orders).toEqual([...orders].sort((a, b) => a - b))
      expect(new Set(orders).size).toBe(PER_PLAYER)
    }
    // The last answers may still be settling: the shared outbox empties right after.
    const metrics = () => fetch(`${servers[0]!.url}/metrics`).then((r) => r.text())
    await expect.poll(metrics).toMatch(/aghanim_outbox_depth 0\n/)
    expect(await metrics()).toMatch(/aghanim_outbox_dead_letters 0\n/)
  }, 60_000)
})
