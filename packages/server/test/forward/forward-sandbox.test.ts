import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type TestServer } from '../support/test-server.js'
import { type NodeBackend, startNodeBackend } from './support/backends.js'

// Forward mode with the sandbox apart: sandbox deliveries go to their own backend, synchronously and through the
// outbox, live ones to the live backend; with several games, each game's deliveries are kept by their own keys.

let live: NodeBackend
let sandbox: NodeBackend
let server: TestServer

beforeAll(async () => {
  live = await startNodeBackend()
  sandbox = await startNodeBackend()
  server = await startTestServer({
    AGHANIM_WEBHOOK_SECRET: '',
    AGHANIM_GAME_SECRETS: 'gm_a=whsec_fwd_a;gm_b=whsec_fwd_b',
    FORWARD_TO: live.url,
    FORWARD_SANDBOX_TO: sandbox.url,
    FORWARD_SECRET: 'fwd_secret_sandbox_tests',
    FORWARD_ASYNC: 'notifications',
  })
})
afterAll(async () => {
  await server?.close()
  await live?.close()
  await sandbox?.close()
})

const verify = (game: string, isSandbox: boolean) =>
  fixtureEvent('player.verify', { game_id: game, sandbox: isSandbox, event_data: { player_id: 'p_fwd' } })

async function until(condition: () => boolean) {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5000) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('forward mode: the sandbox forwards apart', () => {
  test('a sandbox delivery reaches the sandbox backend, a live one the live backend', async () => {
    live.answer(() => ({ status: 200, body: { player_id: 'p_fwd', name: 'Live', attributes: {} } }))
    sandbox.answer(() => ({ status: 200, body: { player_id: 'p_fwd', name: 'Sandbox', attributes: {} } }))
    const fromSandbox = await server.send(verify('gm_a', true), { secret: 'whsec_fwd_a' })
    const fromLive = await server.send(verify('gm_a', false), { secret: 'whsec_fwd_a' })
    expect([fromSandbox.json.name, fromLive.json.name]).toEqual(['Sandbox', 'Live'])
    expect(sandbox.calls.map((call) => call.event.event_type)).toEqual(['player.verify'])
    expect(live.calls.map((call) => call.event.event_type)).toEqual(['player.verify'])
  })

  test('a sandbox notification goes through the outbox to the sandbox backend; the same key in another game too', async () => {
    const paid = (game: string) =>
      fixtureEvent('order.paid', { game_id: game, sandbox: true, idempotency_key: 'idmpt_fwd_same' })
    sandbox.calls.length = 0
    expect((await server.send(paid('gm_a'), { secret: 'whsec_fwd_a' })).status).toBe(200)
    expect((await server.send(paid('gm_b'), { secret: 'whsec_fwd_b' })).status).toBe(200)
    const duplicate = await server.send(paid('gm_b'), { secret: 'whsec_fwd_b' })
    expect(duplicate.headers.get('x-idempotent-replay')).toBe('true')
    await until(() => sandbox.calls.length >= 2)
    expect(sandbox.calls.map((call) => (call.event as { game_id?: string }).game_id).sort()).toEqual([
      'gm_a',
      'gm_b',
    ])
    expect(live.calls.filter((call) => call.event.event_type === 'order.paid')).toEqual([])
  })
})
