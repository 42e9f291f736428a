import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureBuilt, type ServerProcess, spawnServer } from '../reliability/support/server-process.js'
import { deliver } from '../reliability/support/signed-delivery.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

const SECRET = 'whsec_forward_workers_Zr4'
let backend: NodeBackend
let server: ServerProcess

beforeAll(async () => {
  ensureBuilt()
  backend = await startNodeBackend()
  server = await spawnServer({
    args: ['--workers', '2'],
    env: {
      AGHANIM_WEBHOOK_SECRET: SECRET,
      FORWARD_TO: backend.url,
      FORWARD_SECRET: 'fwd_workers',
      FORWARD_ASYNC: 'notifications',
      FORWARD_RETRY_SCHEDULE: '50ms,50ms,50ms',
    },
    timeoutMs: 60_000,
  })
}, 90_000)
afterAll(async () => {
  await server?.kill('SIGTERM')
  await backend?.close()
})

test("two worker processes on one SQLite file share the outbox: each notification delivered, each player's in order", async () => {
  let calls = 0
  backend.answer(() =>
    ++calls % 4 === 0 ? { status: 503, body: {} } : { status: 200, body: { status: 'ok' } },
  )
  const players = ['w_a', 'w_b', 'w_c']
  const PER_PLAYER = 10
  for (let index = 0; index < PER_PLAYER; index++) {
    await Promise.all(
      players.map(async (player) => {
        const event = fixtureEvent('order.paid', { event_data: { id: `ord_${index}`, player_id: player } })
        expect((await deliver(`${server.url}/webhook`, SECRET, JSON.stringify(event))).status).toBe(200)
      }),
    )
  }
  const delivered = (player: string) =>
    backend.calls.filter((call) => call.event.event_data.player_id === player && call.answered === 200)
  await expect
    .poll(() => players.map((player) => new Set(delivered(player).map((call) => call.event.event_id)).size), {
      timeout: 20_000,
      interval: 100,
    })
    .toEqual(players.map(() => PER_PLAYER))
  for (const player of players) {
    const orders = backend.calls
      .filter((call) => call.event.event_data.player_id === player)
      .map((call) => Number(String(call.event.event_data.id).slice(4)))
    expect(orders).toEqual([...orders].sort((a, b) => a - b))
  }
  // Both workers' counters, summed by the primary.
  const metrics = await fetch(`${server.url}/metrics`).then((response) => response.text())
  const ok = Number(/aghanim_forward_calls_total\{via="outbox",result="200"\} (\d+)/.exec(metrics)?.[1])
  expect(ok).toBeGreaterThanOrEqual(players.length * PER_PLAYER)
}, 60_000)
