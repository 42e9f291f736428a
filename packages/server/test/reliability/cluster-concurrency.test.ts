import { Agent } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from '../support/postgres.js'
import { ensureBuilt, type ServerProcess, spawnServer } from './support/server-process.js'
import { type DeliveryAnswer, deliver, grantBody } from './support/signed-delivery.js'

const SECRET = 'whsec_cluster_Rt6Gm2Wc8Jn4'
const ADMIN_TOKEN = 'admin_cluster_Dk5Hs9Pf3Qv7'
const INSTANCES = 3
const KEYS = 10
const COPIES = 200

describe('three server processes on one PostgreSQL schema', () => {
  const schema = uniqueSchema()
  let servers: ServerProcess[] = []

  beforeAll(async () => {
    ensureBuilt()
    const env = {
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      AGHANIM_WEBHOOK_SECRET: SECRET,
      ADMIN_TOKEN,
    }
    // The first one migrates; the others start together against the migrated schema.
    servers = [await spawnServer({ env })]
    servers.push(...(await Promise.all(Array.from({ length: INSTANCES - 1 }, () => spawnServer({ env })))))
    const put = await fetch(`${servers[0]!.url}/api/players/cluster_player`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cluster Player' }),
    })
    expect(put.status).toBe(201)
  })

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGTERM')))
    await dropSchema(schema)
  })

  test(`runs each of ${KEYS} keys once when ${COPIES} copies of each arrive at once, spread over ${INSTANCES} instances`, async () => {
    // Eight grants, and two for an unknown player (declined, 400): a refusal is an answer to repeat too.
    const keys = Array.from({ length: KEYS }, (_, index) => ({
      key: `idmpt_cluster_${index}_${Date.now()}`,
      playerId: index < 8 ? 'cluster_player' : 'cluster_nobody',
      quantity: index + 1,
    }))
    const agents = servers.map(() => new Agent({ keepAlive: true, maxSockets: 256 }))
    const deliveries: Promise<{ key: string; answer: DeliveryAnswer }>[] = []
    for (let copy = 0; copy < COPIES; copy += 1) {
      for (const [index, { key, playerId, quantity }] of keys.entries()) {
        const instance = (copy + index) % INSTANCES
        const body = grantBody(key, playerId, 'gems', quantity)
        deliveries.push(
          deliver(`${servers[instance]!.url}/webhook`, SECRET, body, agents[instance]).then((answer) => ({
            key,
            answer,
          })),
        )
      }
    }
    const answers = await Promise.all(deliveries)
    for (const agent of agents) agent.destroy()

    for (const { key, playerId } of keys) {
      const mine = answers.filter((answer) => answer.key === key).map(({ answer }) => answer)
      const expected =
        playerId === 'cluster_player'
          ? { status: 200, body: '{"status":"ok"}' }
          : { status: 400, body: mine[0]!.body }
      expect(new Set(mine.map((answer) => `${answer.status} ${answer.body}`)), key).toEqual(
        new Set([`${expected.status} ${expected.body}`]),
      )
      // Exactly one copy ran the handler; every other one got its stored answer.
      expect(
        mine.filter((answer) => !answer.replay),
        key,
      ).toHaveLength(1)
    }
    const declined = answers.find(({ key }) => key === keys[9]!.key)!.answer
    expect(JSON.parse(declined.body)).toMatchObject({ status: 'error', code: 'declined' })

    const history = await queryPostgres(schema, 'SELECT idempotency_key, applied FROM inventory_history')
    const byKey = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]))
    expect(history.map((row) => [row.idempotency_key, Number(row.applied)]).sort(byKey)).toEqual(
      keys
        .filter(({ playerId }) => playerId === 'cluster_player')
        .map(({ key, quantity }) => [key, quantity])
        .sort(byKey),
    )
    const [inventory] = await queryPostgres(
      schema,
      "SELECT quantity FROM inventory WHERE player_id = 'cluster_player' AND sku = 'gems'",
    )
    expect(Number(inventory!.quantity)).toBe(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8)
    const keyRows = await queryPostgres(
      schema,
      'SELECT state, attempt FROM idempotency_keys WHERE key = ANY($1)',
      [keys.map(({ key }) => key)],
    )
    expect(keyRows.map((row) => [row.state, Number(row.attempt)])).toEqual(keys.map(() => ['completed', 1]))
    for (const server of servers) expect(server.stderr()).toBe('')
  }, 120_000)
})
