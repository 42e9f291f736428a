import {
  createRouter,
  createWebhookHandler,
  type Delivery,
  fixtureEvent,
  type HandlerContext,
  MemoryStore,
  type WebhookHandlerOptions,
} from 'aghanim-webhooks'
import { signedRequest } from 'aghanim-webhooks/testing'
import { describe, expect, it } from 'vitest'

const SECRETS = { gm_a: ['whsec_a_new', 'whsec_a_old'], gm_b: 'whsec_b' }

/** A receiver of two games that records, per delivery, what its item.add handler saw. */
function twoGames(options: Partial<WebhookHandlerOptions> = {}) {
  const seen: Pick<HandlerContext, 'game' | 'sandbox' | 'scope' | 'key'>[] = []
  const deliveries: Delivery[] = []
  const router = createRouter().on('item.add', (_event, { game, sandbox, scope, key }) => {
    seen.push({ game, sandbox, scope, key })
  })
  const handle = createWebhookHandler({
    secrets: SECRETS,
    router,
    store: new MemoryStore(),
    onDelivery: (delivery) => void deliveries.push(delivery),
    ...options,
  })
  const send = async (secret: string, envelope: Record<string, unknown>) => {
    const response = await handle(await signedRequest({ secret, event: itemAdd(envelope) }))
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  return { send, seen, deliveries }
}

function itemAdd(envelope: Record<string, unknown>) {
  return { ...fixtureEvent('item.add'), idempotency_key: 'idmpt_shared', ...envelope }
}

describe('handler: several games', () => {
  it('names the game by the secret that matched, and grants the same key once in each game', async () => {
    const { send, seen } = twoGames()
    expect((await send('whsec_a_new', { game_id: 'gm_a' })).status).toBe(200)
    expect((await send('whsec_b', { game_id: 'gm_b' })).status).toBe(200)
    expect((await send('whsec_a_new', { game_id: 'gm_a' })).status).toBe(200) // a duplicate in gm_a
    expect((await send('whsec_b', { game_id: 'gm_b' })).status).toBe(200) // a duplicate in gm_b
    expect(seen).toEqual([
      { game: 'gm_a', sandbox: false, scope: 'gm_a', key: 'idmpt_shared' },
      { game: 'gm_b', sandbox: false, scope: 'gm_b', key: 'idmpt_shared' },
    ])
  })

  it('accepts either secret of a game during its rotation, as the same game', async () => {
    const { send, seen } = twoGames()
    await send('whsec_a_old', { game_id: 'gm_a', idempotency_key: 'k_old' })
    await send('whsec_a_new', { game_id: 'gm_a', idempotency_key: 'k_new' })
    expect(seen.map(({ game }) => game)).toEqual(['gm_a', 'gm_a'])
  })

  it('takes the matching secret’s game when the envelope has no game_id', async () => {
    const { send, seen } = twoGames()
    // JSON.stringify leaves an undefined field out: no game_id in the body.
    expect((await send('whsec_b', { game_id: undefined })).status).toBe(200)
    expect(seen[0]?.game).toBe('gm_b')
  })

  it('refuses a delivery signed with one game’s secret that names another game, running nothing', async () => {
    const { send, seen, deliveries } = twoGames()
    const answer = await send('whsec_a_new', { game_id: 'gm_b' })
    expect(answer.status).toBe(403)
    expect(answer.body).toMatchObject({ status: 'error', code: 'game_mismatch' })
    expect(JSON.stringify(answer.body)).not.toContain('whsec')
    expect(seen).toEqual([])
    expect(deliveries[0]).toMatchObject({ outcome: 'game_mismatch', game: 'gm_a' })
  })

  it('still refuses a secret that is no game’s', async () => {
    const { send } = twoGames()
    expect((await send('whsec_unknown', { game_id: 'gm_a' })).body.code).toBe('signature_mismatch')
  })

  it('refuses at mount a secrets option it cannot trust', () => {
    const router = createRouter()
    expect(() => createWebhookHandler({ secrets: {}, router })).toThrow(/names no game/)
    expect(() => createWebhookHandler({ secrets: { gm_a: 's', gm_b: 's' }, router })).toThrow(/same secret/)
    expect(() => createWebhookHandler({ secrets: { 'gm:a': 's' }, router })).toThrow(/game id/)
    expect(() => createWebhookHandler({ secrets: { gm_a: [''] }, router })).toThrow(/empty/)
    expect(() => createWebhookHandler({ secret: 's', secrets: { gm_a: 't' }, router })).toThrow(/exclusive/)
  })
})

describe('handler: the sandbox', () => {
  it('accept (the default): a sandbox delivery shares the live keys, and the handler sees the flag', async () => {
    const { send, seen } = twoGames()
    await send('whsec_a_new', { game_id: 'gm_a', sandbox: true })
    await send('whsec_a_new', { game_id: 'gm_a', sandbox: false })
    expect(seen).toEqual([{ game: 'gm_a', sandbox: true, scope: 'gm_a', key: 'idmpt_shared' }])
  })

  it('separate: a sandbox delivery has keys of its own', async () => {
    const { send, seen, deliveries } = twoGames({ sandbox: 'separate' })
    await send('whsec_a_new', { game_id: 'gm_a', sandbox: true })
    await send('whsec_a_new', { game_id: 'gm_a', sandbox: false })
    await send('whsec_a_new', { game_id: 'gm_a', sandbox: true })
    expect(seen).toEqual([
      { game: 'gm_a', sandbox: true, scope: 'gm_a:sandbox', key: 'idmpt_shared' },
      { game: 'gm_a', sandbox: false, scope: 'gm_a', key: 'idmpt_shared' },
    ])
    expect(deliveries.map((delivery) => [delivery.sandbox, delivery.duplicate])).toEqual([
      [true, false],
      [false, false],
      [true, true],
    ])
  })

  it('reject: a sandbox delivery is refused with 403 sandbox_not_accepted, a live one runs', async () => {
    const { send, seen } = twoGames({ sandbox: 'reject' })
    const refused = await send('whsec_b', { game_id: 'gm_b', sandbox: true })
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('sandbox_not_accepted')
    expect(seen).toEqual([])
    expect((await send('whsec_b', { game_id: 'gm_b' })).status).toBe(200)
    expect(seen).toHaveLength(1)
  })

  it('a single secret keeps the unnamed scope and its keys as they were', async () => {
    const store = new MemoryStore()
    const seen: string[] = []
    const handle = createWebhookHandler({
      secret: 'whsec_one',
      sandbox: 'separate',
      store,
      router: createRouter().on('item.add', (_event, { game, scope }) => void seen.push(`${game}|${scope}`)),
    })
    await handle(await signedRequest({ secret: 'whsec_one', event: itemAdd({ game_id: 'gm_any' }) }))
    await handle(await signedRequest({ secret: 'whsec_one', event: itemAdd({ sandbox: true }) }))
    expect(seen).toEqual(['null|', 'null|:sandbox'])
    expect((await store.claim('idmpt_shared', { leaseMs: 1000 })).kind).toBe('completed')
    expect((await store.claim(':sandbox/idmpt_shared', { leaseMs: 1000 })).kind).toBe('completed')
  })
})
