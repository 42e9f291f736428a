import {
  createRouter,
  type Delivery,
  decline,
  fixtureEvent,
  MemoryStore,
  type Router,
  type WebhookHandlerOptions,
} from 'aghanim-webhooks'
import type { IdempotencyStore } from 'aghanim-webhooks/store'
import { signedRequest } from 'aghanim-webhooks/testing'
import { describe, expect, it } from 'vitest'
import { receiverFor } from './support/deliver.js'

const SECRET = 'whsec_idem_R2d2C3po'

const { receiver, send } = receiverFor(SECRET)

/** Delivers the same event twice, one after the other, to one receiver: the first answer, then the retry's. */
async function sendTwice(router: Router, event: unknown) {
  const handle = receiver(router)
  const first = await send(handle, event)
  return [first, await send(handle, event)] as const
}

/** A promise and the function that settles it, to hold a handler mid-flight. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

describe('handler: exactly once', () => {
  it('repeats the first answer to a duplicate after success, marked as a replay, without running the handler', async () => {
    let runs = 0
    const router = createRouter().on('item.add', () => {
      runs++
    })
    const [first, second] = await sendTwice(router, fixtureEvent('item.add'))
    expect(first).toEqual({ status: 200, body: '{"status":"ok"}', replay: null })
    expect(second).toEqual({ status: 200, body: '{"status":"ok"}', replay: 'true' })
    expect(runs).toBe(1)
  })

  it('deduplicates on idempotency_key, even when the event_id differs', async () => {
    let runs = 0
    const handle = receiver(
      createRouter().on('item.add', () => {
        runs++
      }),
    )
    const event = fixtureEvent('item.add', { idempotency_key: 'idmpt_same' })
    await send(handle, event)
    const retry = await send(handle, { ...event, event_id: 'whevt_resent' })
    expect(retry.replay).toBe('true')
    expect(runs).toBe(1)
  })

  it('falls back to event_id when idempotency_key is null', async () => {
    const keys: (string | null)[] = []
    const handle = receiver(createRouter().on('order.paid', (_e, context) => void keys.push(context.key)))
    const event = fixtureEvent('order.paid', { idempotency_key: null, event_id: 'whevt_only' })
    await send(handle, event)
    expect((await send(handle, event)).replay).toBe('true')
    await send(handle, { ...event, event_id: 'whevt_other' })
    expect(keys).toEqual(['whevt_only', 'whevt_other'])
  })

  it('treats events with different keys as different deliveries', async () => {
    let runs = 0
    const handle = receiver(
      createRouter().on('item.add', () => {
        runs++
      }),
    )
    await send(handle, fixtureEvent('item.add'))
    await send(handle, fixtureEvent('item.add'))
    expect(runs).toBe(2)
  })

  it('stores a decline: 400 declined, repeated to a duplicate without running the handler again', async () => {
    let runs = 0
    const router = createRouter().on('item.add', () => {
      runs++
      return decline('Out of stock')
    })
    const handle = receiver(router)
    const event = fixtureEvent('item.add')
    const first = await send(handle, event)
    expect(first.status).toBe(400)
    expect(JSON.parse(first.body)).toEqual({ status: 'error', code: 'declined', message: 'Out of stock' })
    expect(await send(handle, event)).toEqual({ ...first, replay: 'true' })
    expect(runs).toBe(1)
  })

  it('releases the key when the handler throws, so the retry runs (attempt 2) and its answer is kept', async () => {
    const attempts: number[] = []
    const router = createRouter().on('item.add', (_event, { attempt }) => {
      attempts.push(attempt)
      if (attempt === 1) throw new Error('database down')
    })
    const handle = receiver(router)
    const event = fixtureEvent('item.add')
    expect((await send(handle, event)).status).toBe(500)
    expect(await send(handle, event)).toEqual({ status: 200, body: '{"status":"ok"}', replay: null })
    expect((await send(handle, event)).replay).toBe('true')
    expect(attempts).toEqual([1, 2])
  })

  it('does not store an explicit non-final failure reply, so the retry runs', async () => {
    let runs = 0
    const router = createRouter()
      .on('item.add', () => {
        runs++
        throw new Error('boom')
      })
      .onError(() => undefined)
    await sendTwice(router, fixtureEvent('item.add'))
    expect(runs).toBe(2)
  })

  it('runs the handler once for 50 concurrent duplicates, and all 50 get the same answer', async () => {
    let runs = 0
    const { opened, open } = gate()
    const router = createRouter().on('item.add', async () => {
      runs++
      await opened
    })
    const handle = receiver(router)
    const event = fixtureEvent('item.add')
    const pending = Array.from({ length: 50 }, () => send(handle, event))
    setTimeout(open, 20)
    const answers = await Promise.all(pending)
    expect(runs).toBe(1)
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`))).toEqual(new Set(['200 {"status":"ok"}']))
    expect(answers.filter((a) => a.replay === null)).toHaveLength(1)
  })

  it('answers 409 in_progress to a duplicate that waited longer than inFlightWaitMs', async () => {
    const { opened, open } = gate()
    const running = gate()
    const router = createRouter().on('item.add', () => {
      running.open()
      return opened
    })
    const handle = receiver(router, { inFlightWaitMs: 30 })
    const event = fixtureEvent('item.add')
    const first = send(handle, event)
    await running.opened // the first copy holds the key before the duplicate arrives
    const second = await send(handle, event)
    expect(second.status).toBe(409)
    expect(JSON.parse(second.body)).toMatchObject({ status: 'error', code: 'in_progress' })
    open()
    expect((await first).status).toBe(200)
  })

  it('never deduplicates decision events: player.verify runs for every copy', async () => {
    let runs = 0
    const router = createRouter().on('player.verify', (event) => {
      runs++
      return { player_id: event.event_data.player_id, name: `Molly ${runs}`, attributes: {} }
    })
    const [first, second] = await sendTwice(
      router,
      fixtureEvent('player.verify', { idempotency_key: 'idmpt_verify' }),
    )
    expect(runs).toBe(2)
    expect([first.replay, second.replay]).toEqual([null, null])
    expect(JSON.parse(second.body).name).toBe('Molly 2')
  })

  // store.get comes with an idempotency_key from Aghanim; it is a decision all the same.
  it.each([
    ['store.get', { items: [] }],
    ['player.lookup', { status: 'ok', data: [] }],
  ] as const)('never deduplicates %s: every copy runs, without a key', async (type, answer) => {
    const keys: (string | null)[] = []
    const router = createRouter().onAny((_e, context) => {
      keys.push(context.key)
      return answer
    })
    await sendTwice(router, fixtureEvent(type, { idempotency_key: 'idmpt_decision' }))
    expect(keys).toEqual([null, null])
  })

  it('runs every copy when the store is turned off with false', async () => {
    let runs = 0
    const handle = receiver(
      createRouter().on('item.add', () => {
        runs++
      }),
      { store: false },
    )
    const event = fixtureEvent('item.add')
    await send(handle, event)
    expect((await send(handle, event)).replay).toBeNull()
    expect(runs).toBe(2)
  })

  it('shares exactly-once across handlers that share a store (several instances)', async () => {
    let runs = 0
    const store = new MemoryStore()
    const router = createRouter().on('item.add', () => {
      runs++
    })
    const [a, b] = [receiver(router, { store }), receiver(router, { store })]
    const event = fixtureEvent('item.add')
    await Promise.all([send(a, event), send(b, event), send(a, event), send(b, event)])
    expect(runs).toBe(1)
  })

  it('answers 503 store_unavailable, without running the handler, when the store cannot claim', async () => {
    let runs = 0
    const broken: IdempotencyStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:5432 password=hunter2')),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(),
    }
    const handle = receiver(
      createRouter().on('item.add', () => {
        runs++
      }),
      { store: broken },
    )
    const response = await handle(await signedRequest({ secret: SECRET, event: fixtureEvent('item.add') }))
    const answer = { status: response.status, body: await response.text() }
    expect(answer.status).toBe(503)
    // When to come back: Aghanim's retry may otherwise come at once, while the database is still away.
    expect(response.headers.get('retry-after')).toBe('5')
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'error', code: 'store_unavailable' })
    expect(answer.body).not.toContain('hunter2')
    expect(runs).toBe(0)
  })

  it('answers 503 and releases the key when the answer cannot be committed', async () => {
    const released: string[] = []
    const store = new MemoryStore()
    const failingCommit: IdempotencyStore = {
      claim: (key, options) => store.claim(key, options),
      complete: () => Promise.reject(new Error('disk full')),
      release: (key, token) => {
        released.push(key)
        return store.release(key, token)
      },
    }
    const handle = receiver(
      createRouter().on('item.add', () => undefined),
      { store: failingCommit },
    )
    const event = fixtureEvent('item.add')
    const answer = await send(handle, event)
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.body).code).toBe('store_unavailable')
    expect(released).toEqual([event.idempotency_key])
  })

  it('commits transact() work with the answer, once', async () => {
    let granted = 0
    const router = createRouter().on('item.add', (_event, { transact }) => {
      transact(() => {
        granted++
      })
    })
    await sendTwice(router, fixtureEvent('item.add'))
    expect(granted).toBe(1)
  })

  it('answers 500 when a decision handler calls transact(), since nothing would commit it', async () => {
    const router = createRouter().on('store.get', (_event, { transact }) => {
      transact(() => undefined)
      return { items: [] }
    })
    const answer = await send(receiver(router), fixtureEvent('store.get'))
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.body).code).toBe('invalid_config')
  })
})

describe('handler: onDelivery', () => {
  function recorded(router: Router, options: Partial<WebhookHandlerOptions> = {}) {
    const deliveries: Delivery[] = []
    const handle = receiver(router, { ...options, onDelivery: (delivery) => void deliveries.push(delivery) })
    return { handle, deliveries }
  }

  it('reports a first success and its duplicate with key, attempt and duplicate flag', async () => {
    const { handle, deliveries } = recorded(createRouter().on('item.add', () => undefined))
    const event = fixtureEvent('item.add')
    await send(handle, event)
    await send(handle, event)
    expect(
      deliveries.map(({ outcome, key, attempt, duplicate, status }) => ({
        outcome,
        key,
        attempt,
        duplicate,
        status,
      })),
    ).toEqual([
      { outcome: 'ok', key: event.idempotency_key, attempt: 1, duplicate: false, status: 200 },
      { outcome: 'ok', key: event.idempotency_key, attempt: 0, duplicate: true, status: 200 },
    ])
    expect(deliveries[0]!.event).toEqual(event)
    expect(deliveries[0]!.responseBody).toBe('{"status":"ok"}')
    expect(new TextDecoder().decode(deliveries[0]!.body)).toBe(JSON.stringify(event))
  })

  it('reports a failure, then the retry as attempt 2', async () => {
    const router = createRouter().on('item.add', (_event, { attempt }) => {
      if (attempt === 1) throw new Error('boom')
    })
    const { handle, deliveries } = recorded(router)
    const event = fixtureEvent('item.add')
    await send(handle, event)
    await send(handle, event)
    expect(deliveries.map((d) => [d.outcome, d.status, d.attempt, d.duplicate])).toEqual([
      ['handler_failed', 500, 1, false],
      ['ok', 200, 2, false],
    ])
    expect((deliveries[0]!.error as Error).message).toBe('boom')
  })

  it('reports a decline as declined, first and when replayed', async () => {
    const { handle, deliveries } = recorded(createRouter().on('item.add', () => decline('No stock')))
    const event = fixtureEvent('item.add')
    await send(handle, event)
    await send(handle, event)
    expect(deliveries.map((d) => [d.outcome, d.status, d.duplicate])).toEqual([
      ['declined', 400, false],
      ['declined', 400, true],
    ])
  })

  it('reports a decision event with a null key, as attempt 1 like its handler saw', async () => {
    const router = createRouter().on('player.verify', (e) => ({
      player_id: e.event_data.player_id,
      name: 'M',
      attributes: {},
    }))
    const { handle, deliveries } = recorded(router)
    await send(handle, fixtureEvent('player.verify'))
    expect(deliveries.map((d) => [d.outcome, d.key, d.attempt, d.duplicate])).toEqual([
      ['ok', null, 1, false],
    ])
  })

  it('reports a rejected signature with its code, the raw body and no event', async () => {
    const { handle, deliveries } = recorded(createRouter().onAny(() => undefined))
    const request = await signedRequest({ secret: 'whsec_wrong', body: '{"forged":true}' })
    await handle(request)
    expect(deliveries).toHaveLength(1)
    const [delivery] = deliveries
    expect(delivery).toMatchObject({
      outcome: 'signature_mismatch',
      status: 403,
      event: undefined,
      key: null,
      request,
    })
    expect(new TextDecoder().decode(delivery!.body)).toBe('{"forged":true}')
  })

  it('reports a 405 with no body read', async () => {
    const { handle, deliveries } = recorded(createRouter().onAny(() => undefined))
    await handle(new Request('http://localhost/webhook'))
    expect(deliveries.map((d) => [d.outcome, d.status, d.body])).toEqual([
      ['method_not_allowed', 405, undefined],
    ])
  })

  it('measures the duration with the injected clock', async () => {
    let now = 1_725_548_450_000
    const router = createRouter().on('item.add', () => {
      now += 25
    })
    const { handle, deliveries } = recorded(router, { now: () => now })
    await handle(
      await signedRequest({ secret: SECRET, event: fixtureEvent('item.add'), timestamp: 1_725_548_450 }),
    )
    expect(deliveries[0]).toMatchObject({ outcome: 'ok', receivedAt: 1_725_548_450_000, durationMs: 25 })
  })

  it('never carries the secret', async () => {
    const router = createRouter().on('item.add', () => {
      throw new Error('boom')
    })
    const { handle, deliveries } = recorded(router)
    await send(handle, fixtureEvent('item.add'))
    await handle(await signedRequest({ secret: 'whsec_wrong', event: fixtureEvent('item.add') }))
    for (const { request: _request, body, ...rest } of deliveries) {
      expect(JSON.stringify(rest)).not.toContain(SECRET)
      expect(new TextDecoder().decode(body)).not.toContain(SECRET)
    }
  })
})
