import {
  createRouter,
  createWebhookHandler,
  type Delivery,
  deny,
  errorCatalogue,
  fixtureEvent,
  type Router,
  reply,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type WebhookHandlerOptions,
} from 'aghanim-webhooks'
import { signedRequest } from 'aghanim-webhooks/testing'
import { describe, expect, it } from 'vitest'

const SECRET = 'whsec_handler_9f3KqL'
const URL = 'http://localhost/webhook'

function receiver(router: Router, options: Partial<WebhookHandlerOptions> = {}) {
  return createWebhookHandler({ secret: SECRET, router, ...options })
}

const ackAll = () => createRouter().onAny(() => undefined)

async function send(
  handle: (request: Request) => Promise<Response>,
  init: { event?: unknown; body?: Uint8Array | string },
) {
  return handle(await signedRequest({ secret: SECRET, ...init }))
}

/** Asserts the documented error shape and returns it. */
async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/json')
  const text = await response.text()
  expect(text).not.toContain(SECRET)
  const body = JSON.parse(text) as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'status'])
  expect(body.status).toBe('error')
  expect(typeof body.message).toBe('string')
  expect(body.message).not.toBe('')
  return body as { status: 'error'; code: string; message: string }
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  const body = await errorOf(response)
  expect(body.code).toBe(code)
  return body
}

describe('handler: method and body size', () => {
  it('answers 405 method_not_allowed to GET, naming POST in an Allow header', async () => {
    const response = await receiver(ackAll())(new Request(URL))
    await expectError(response, 405, 'method_not_allowed')
    expect(response.headers.get('allow')).toBe('POST')
  })

  it('answers 405 to a correctly signed PUT', async () => {
    const signed = await signedRequest({ secret: SECRET, event: fixtureEvent('item.add') })
    const put = new Request(signed, { method: 'PUT' })
    await expectError(await receiver(ackAll())(put), 405, 'method_not_allowed')
  })

  it('answers 413 to a body one byte over the limit sent without content-length', async () => {
    const request = await signedRequest({ secret: SECRET, body: 'x'.repeat(1025) })
    expect(request.headers.get('content-length')).toBeNull()
    await expectError(await receiver(ackAll(), { maxBodyBytes: 1024 })(request), 413, 'body_too_large')
  })

  it('answers 413 from a declared content-length without reading the body', async () => {
    let pulls = 0
    const body = new ReadableStream<Uint8Array>(
      {
        pull() {
          pulls++
          throw new Error('the body must not be read')
        },
      },
      { highWaterMark: 0 }, // no pull until someone reads
    )
    const request = new Request(URL, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-length': '2048', [SIGNATURE_HEADER]: '0'.repeat(64), [TIMESTAMP_HEADER]: '1' },
    } as RequestInit)
    await expectError(await receiver(ackAll(), { maxBodyBytes: 1024 })(request), 413, 'body_too_large')
    expect(pulls).toBe(0)
  })

  it('stops reading an endless upload once it passes the limit', async () => {
    let cancelled = false
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 512
        controller.enqueue(new Uint8Array(512).fill(0x20))
      },
      cancel() {
        cancelled = true
      },
    })
    const request = new Request(URL, { method: 'POST', body, duplex: 'half' } as RequestInit)
    await expectError(await receiver(ackAll(), { maxBodyBytes: 4096 })(request), 413, 'body_too_large')
    expect(cancelled).toBe(true)
    expect(sent).toBeLessThan(64 * 1024)
  })

  it('answers 500 raw_body_consumed when a body parser read the body first', async () => {
    const request = await signedRequest({ secret: SECRET, event: fixtureEvent('item.add') })
    await request.json()
    await expectError(await receiver(ackAll())(request), 500, 'raw_body_consumed')
  })

  it('accepts a body of exactly the limit', async () => {
    const json = JSON.stringify(fixtureEvent('item.add'))
    const body = json + ' '.repeat(2048 - new TextEncoder().encode(json).byteLength)
    const response = await send(receiver(ackAll(), { maxBodyBytes: 2048 }), { body })
    expect(response.status).toBe(200)
  })
})

describe('handler: signature', () => {
  it('answers 403 signature_mismatch to a body signed with another secret', async () => {
    const request = await signedRequest({ secret: 'whsec_attacker', event: fixtureEvent('item.add') })
    await expectError(await receiver(ackAll())(request), 403, 'signature_mismatch')
  })

  it('answers 400 missing_signature to an unsigned request', async () => {
    const request = new Request(URL, { method: 'POST', body: JSON.stringify(fixtureEvent('item.add')) })
    await expectError(await receiver(ackAll())(request), 400, 'missing_signature')
  })

  it('verifies before parsing: a forged body that is not JSON gets 403, not 400', async () => {
    const request = await signedRequest({ secret: 'whsec_attacker', body: '{not json' })
    await expectError(await receiver(ackAll())(request), 403, 'signature_mismatch')
  })

  it('applies the configured replay window with the injected clock', async () => {
    const handle = receiver(ackAll(), { replayWindow: { pastSeconds: 60 }, now: () => 1_725_548_450_000 })
    const stale = await signedRequest({
      secret: SECRET,
      event: fixtureEvent('item.add'),
      timestamp: 1_725_548_450 - 61,
    })
    await expectError(await handle(stale), 403, 'timestamp_outside_window')
    const fresh = await signedRequest({
      secret: SECRET,
      event: fixtureEvent('item.add'),
      timestamp: 1_725_548_450 - 60,
    })
    expect((await handle(fresh)).status).toBe(200)
  })

  it('accepts either secret during a rotation', async () => {
    const handle = createWebhookHandler({ secret: ['whsec_old', 'whsec_new'], router: ackAll() })
    for (const secret of ['whsec_old', 'whsec_new']) {
      const response = await handle(await signedRequest({ secret, event: fixtureEvent('item.add') }))
      expect(response.status).toBe(200)
    }
  })

  it.each([
    ['an unset environment variable', undefined, 'is undefined'],
    ['null', null, 'is null'],
    ['an empty secret', '', 'is an empty string'],
    ['no secrets', [], 'is an empty list'],
    ['an empty secret among others', ['whsec_a', ''], '(entry 1) is an empty string'],
    ['a number', 42, 'is a number'],
  ])('refuses to be created with %s, naming the option and the fix', (_label, secret, problem) => {
    const create = () => createWebhookHandler({ secret: secret as string, router: ackAll() })
    expect(create).toThrow(expect.objectContaining({ name: 'AghanimWebhookError', code: 'invalid_config' }))
    expect(create).toThrow(`The webhook option \`secret\` ${problem}. Pass the webhook secret`)
    expect(create).toThrow('process.env.AGHANIM_WEBHOOK_SECRET')
  })
})

describe('handler: body, envelope and event data', () => {
  it('answers 400 invalid_encoding to a body that is not UTF-8', async () => {
    const body = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])
    await expectError(await send(receiver(ackAll()), { body }), 400, 'invalid_encoding')
  })

  it('answers 400 invalid_encoding to an overlong UTF-8 encoding of "/"', async () => {
    const body = new Uint8Array([0x22, 0xc0, 0xaf, 0x22])
    await expectError(await send(receiver(ackAll()), { body }), 400, 'invalid_encoding')
  })

  it.each([
    ['truncated JSON', '{"event_type":'],
    ['an empty body', ''],
    ['trailing garbage', '{"event_type":"item.add"} x'],
    ['single quotes', "{'event_type':'item.add'}"],
  ])('answers 400 invalid_json to %s', async (_label, body) => {
    const error = await expectError(await send(receiver(ackAll()), { body }), 400, 'invalid_json')
    expect(error.message).toMatch(/^The body is not valid JSON/)
  })

  const valid = () => fixtureEvent('item.add') as unknown as Record<string, unknown>
  it.each([
    ['a JSON array', []],
    ['JSON null', null],
    ['a number', 42],
    ['a string', 'item.add'],
    ['an empty object', {}],
    ['no event_type', { ...valid(), event_type: undefined }],
    ['a numeric event_type', { ...valid(), event_type: 7 }],
    ['an empty event_type', { ...valid(), event_type: '' }],
    ['no event_id', { ...valid(), event_id: undefined }],
    ['an empty event_id', { ...valid(), event_id: '' }],
    ['an event_id of 2000 characters', { ...valid(), event_id: 'e'.repeat(2000) }],
    ['event_data as an array', { ...valid(), event_data: [] }],
    ['event_data as a string', { ...valid(), event_data: 'x' }],
    ['no event_data', { ...valid(), event_data: undefined }],
    ['a numeric idempotency_key', { ...valid(), idempotency_key: 5 }],
    ['an empty idempotency_key', { ...valid(), idempotency_key: '' }],
    ['sandbox as a string', { ...valid(), sandbox: 'false' }],
  ])('answers 400 invalid_envelope to %s', async (_label, event) => {
    await expectError(await send(receiver(ackAll()), { event }), 400, 'invalid_envelope')
  })

  it('names the offending field of the envelope', async () => {
    const error = await expectError(
      await send(receiver(ackAll()), { event: { ...valid(), event_id: 5 } }),
      400,
      'invalid_envelope',
    )
    expect(error.message).toContain('event_id')
  })

  it('answers 400 invalid_event_data naming the field that breaks the event type schema', async () => {
    const event = fixtureEvent('item.add', { event_data: { items: 'nope' as never } })
    const error = await expectError(await send(receiver(ackAll()), { event }), 400, 'invalid_event_data')
    expect(error.message).toContain('event_data.items')
  })

  it('answers 400 invalid_event_data when a required event_data field is missing', async () => {
    const event = { ...fixtureEvent('item.add'), event_data: { items: [], reason: 'r' } }
    const error = await expectError(await send(receiver(ackAll()), { event }), 400, 'invalid_event_data')
    expect(error.message).toContain('player_id')
  })

  it('keeps fields Aghanim adds later (unknown envelope and event_data keys)', async () => {
    let seen: unknown
    const router = createRouter().on('item.add', (event) => {
      seen = event
    })
    const event = fixtureEvent('item.add', { event_data: { attribution: 'x' } as never })
    const response = await send(receiver(router), { event: { ...event, new_field: 1 } })
    expect(response.status).toBe(200)
    expect(seen).toMatchObject({ new_field: 1, event_data: { attribution: 'x' } })
  })
})

describe('handler: unknown and unhandled events', () => {
  const unknown = () => ({
    ...fixtureEvent('item.add'),
    event_type: 'analytics.hub.new_thing',
    event_data: {},
  })

  it('answers 400 "Unknown event type" by default, as Aghanim\'s sample does', async () => {
    let ran = false
    const router = createRouter().onAny(() => {
      ran = true
    })
    const error = await expectError(
      await send(receiver(router), { event: unknown() }),
      400,
      'unknown_event_type',
    )
    expect(error.message).toMatch(/^Unknown event type/)
    expect(error.message).toContain('analytics.hub.new_thing')
    expect(ran).toBe(false)
  })

  it('answers 200 to an unknown event type with unknownEventType "acknowledge", and reports it', async () => {
    const deliveries: Delivery[] = []
    const handle = receiver(ackAll(), {
      unknownEventType: 'acknowledge',
      onDelivery: (d) => void deliveries.push(d),
    })
    const response = await send(handle, { event: unknown() })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
    expect(deliveries.map((d) => d.outcome)).toEqual(['unknown_event_acknowledged'])
  })

  it('still rejects a broken envelope with unknownEventType "acknowledge"', async () => {
    const handle = receiver(ackAll(), { unknownEventType: 'acknowledge' })
    await expectError(await send(handle, { event: { event_type: 'x.y' } }), 400, 'invalid_envelope')
  })

  it('answers 400 unhandled_event to a known event type no handler takes', async () => {
    const router = createRouter().on('item.add', () => undefined)
    const error = await expectError(
      await send(receiver(router), { event: fixtureEvent('order.paid') }),
      400,
      'unhandled_event',
    )
    expect(error.message).toContain('order.paid')
  })
})

describe('handler: answers', () => {
  const player = { player_id: 'p_1', name: 'Molly', attributes: { level: 3, singular_app_id: 'com.x' } }

  it('answers a fulfilment with 200 {"status":"ok"}', async () => {
    const router = createRouter().on('item.add', () => undefined)
    const response = await send(receiver(router), { event: fixtureEvent('item.add') })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.text()).toBe('{"status":"ok"}')
  })

  it('answers a notification with {"status":"ok"} whatever its handler returned', async () => {
    const router = createRouter().onAny(() => ({ anything: true }))
    const response = await send(receiver(router), { event: fixtureEvent('order.paid') })
    expect(await response.text()).toBe('{"status":"ok"}')
  })

  it('answers player.verify with the player the handler returned, extra attributes kept', async () => {
    const router = createRouter().on('player.verify', () => player)
    const response = await send(receiver(router), { event: fixtureEvent('player.verify') })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(player)
  })

  it.each([
    ['a player without name', { player_id: 'p_1', attributes: {} }, 'name'],
    ['nothing', undefined, ''],
  ])('answers 500 invalid_answer when a player.verify handler returns %s', async (_what, answer, named) => {
    const router = createRouter().on('player.verify', () => answer as never)
    const error = await expectError(
      await send(receiver(router), { event: fixtureEvent('player.verify') }),
      500,
      'invalid_answer',
    )
    expect(error.message).toContain(named)
  })

  it('answers a denied player.verify with 403 and the flat error body', async () => {
    const router = createRouter().on('player.verify', () => deny('Player is banned'))
    const response = await send(receiver(router), { event: fixtureEvent('player.verify') })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ status: 'error', code: 'denied', message: 'Player is banned' })
  })

  it('answers a deny with a custom status and code', async () => {
    const router = createRouter().on('player.verify', () =>
      deny('Player not found', { status: 404, code: 'not_found' }),
    )
    const response = await send(receiver(router), { event: fixtureEvent('player.verify') })
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ status: 'error', code: 'not_found', message: 'Player not found' })
  })

  it('answers store.get with the items, and 500 invalid_answer for a non-string sku', async () => {
    const good = createRouter().on('store.get', () => ({
      items: [{ sku: 'crystals' }, { sku: 'shield', start_at: 1, end_at: null }],
    }))
    const response = await send(receiver(good), { event: fixtureEvent('store.get') })
    expect(await response.json()).toEqual({
      items: [{ sku: 'crystals' }, { sku: 'shield', start_at: 1, end_at: null }],
    })
    const bad = createRouter().on('store.get', () => ({ items: [{ sku: 42 }] }) as never)
    const error = await expectError(
      await send(receiver(bad), { event: fixtureEvent('store.get') }),
      500,
      'invalid_answer',
    )
    expect(error.message).toContain('items[0].sku')
  })

  it('answers player.lookup failures with HTTP 200 and the error status body, as documented', async () => {
    const router = createRouter().on('player.lookup', () => ({
      status: 'error',
      code: 'not_found',
      message: 'No match',
    }))
    const response = await send(receiver(router), { event: fixtureEvent('player.lookup') })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'error', code: 'not_found', message: 'No match' })
  })

  it('answers player.update with {"status":"ok"} when its handler returns nothing', async () => {
    const router = createRouter().on('player.update', () => undefined)
    const response = await send(receiver(router), { event: fixtureEvent('player.update') })
    expect(await response.text()).toBe('{"status":"ok"}')
  })

  it('sends an explicit reply() as given', async () => {
    const router = createRouter().on('campaign.custom', () => reply(202, { status: 'ok', queued: true }))
    const response = await send(receiver(router), { event: fixtureEvent('campaign.custom') })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ status: 'ok', queued: true })
  })

  it('answers 500 handler_failed when the handler throws, without the thrown message', async () => {
    const router = createRouter().on('item.add', () => {
      throw new Error(`database refused password ${SECRET}`)
    })
    const error = await expectError(
      await send(receiver(router), { event: fixtureEvent('item.add') }),
      500,
      'handler_failed',
    )
    expect(error.message).not.toContain('database')
  })

  it('lets an onError hook observe the failure and answer instead', async () => {
    const seen: unknown[] = []
    const router = createRouter()
      .on('item.add', () => {
        throw new Error('boom')
      })
      .onError((error, event) => {
        seen.push((error as Error).message, event.event_type)
        return reply(503, { status: 'error', code: 'maintenance', message: 'Back soon' })
      })
    const response = await send(receiver(router), { event: fixtureEvent('item.add') })
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ status: 'error', code: 'maintenance', message: 'Back soon' })
    expect(seen).toEqual(['boom', 'item.add'])
  })

  it('keeps the default 500 when every onError hook returns nothing', async () => {
    const router = createRouter()
      .on('item.add', () => Promise.reject(new Error('boom')))
      .onError(() => undefined)
    await expectError(
      await send(receiver(router), { event: fixtureEvent('item.add') }),
      500,
      'handler_failed',
    )
  })
})

describe('handler: every failure is the documented JSON error', () => {
  const throwing = () =>
    createRouter()
      .on('item.add', () => {
        throw new Error(SECRET)
      })
      .on('player.verify', () => ({}) as never)
  const cases: [string, () => Promise<Request>][] = [
    ['GET', async () => new Request(URL)],
    ['too large', () => signedRequest({ secret: SECRET, body: 'x'.repeat(5000) })],
    ['unsigned', async () => new Request(URL, { method: 'POST', body: '{}' })],
    [
      'no timestamp',
      async () =>
        new Request(URL, { method: 'POST', body: '{}', headers: { [SIGNATURE_HEADER]: 'a'.repeat(64) } }),
    ],
    [
      'short signature',
      () => signedRequest({ secret: SECRET, body: '{}', headers: { [SIGNATURE_HEADER]: 'abc' } }),
    ],
    ['bad timestamp', () => signedRequest({ secret: SECRET, body: '{}', timestamp: 'soon' })],
    ['stale', () => signedRequest({ secret: SECRET, body: '{}', timestamp: 1 })],
    ['wrong secret', () => signedRequest({ secret: `${SECRET}x`, body: '{}' })],
    ['not UTF-8', () => signedRequest({ secret: SECRET, body: new Uint8Array([0xff]) })],
    ['not JSON', () => signedRequest({ secret: SECRET, body: '{' })],
    ['not an envelope', () => signedRequest({ secret: SECRET, body: '[]' })],
    [
      'bad event_data',
      () => signedRequest({ secret: SECRET, event: { ...fixtureEvent('item.add'), event_data: {} } }),
    ],
    [
      'unknown type',
      () => signedRequest({ secret: SECRET, event: { ...fixtureEvent('item.add'), event_type: 'a.b' } }),
    ],
    ['unhandled', () => signedRequest({ secret: SECRET, event: fixtureEvent('order.paid') })],
    ['invalid answer', () => signedRequest({ secret: SECRET, event: fixtureEvent('player.verify') })],
    ['handler throws', () => signedRequest({ secret: SECRET, event: fixtureEvent('item.add') })],
  ]

  it.each(cases)(
    '%s: {status:"error",code,message} with the catalogue status, no secret',
    async (_label, make) => {
      const response = await receiver(throwing(), { maxBodyBytes: 4096 })(await make())
      const body = await errorOf(response)
      expect(Object.keys(errorCatalogue)).toContain(body.code)
      expect(response.status).toBe(errorCatalogue[body.code as keyof typeof errorCatalogue].status)
    },
  )

  it('covers a distinct code per case', async () => {
    const codes = new Set<string>()
    for (const [, make] of cases) {
      const response = await receiver(throwing(), { maxBodyBytes: 4096 })(await make())
      codes.add((await errorOf(response)).code)
    }
    expect(codes.size).toBe(cases.length)
  })
})
