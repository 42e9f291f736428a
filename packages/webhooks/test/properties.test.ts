import {
  createRouter,
  createWebhookHandler,
  errorCatalogue,
  eventTypes,
  fixtureEvent,
  isEventType,
  parseEvent,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from 'aghanim-webhooks'
import { signedRequest } from 'aghanim-webhooks/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const SECRET = 'whsec_props_M4rk3r'
const MARKER = 'SENSITIVE-VALUE-7c1f'

/** A realistic event with one value somewhere in it replaced: the inputs most likely to reach deep code. */
const mutatedEvent = fc
  .record({
    type: fc.constantFrom(...eventTypes),
    intoData: fc.boolean(),
    steps: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    newKey: fc.option(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor'))),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(MARKER), fc.constant(undefined)),
  })
  .map(({ type, intoData, steps, newKey, value }) => {
    const event = JSON.parse(JSON.stringify(fixtureEvent(type))) as Record<string, unknown>
    let target = (intoData ? event.event_data : event) as Record<string, unknown>
    for (const step of steps.slice(0, -1)) {
      const keys = Object.keys(target)
      const next = keys.length > 0 ? target[keys[step % keys.length]!] : undefined
      if (typeof next !== 'object' || next === null) break
      target = next as Record<string, unknown>
    }
    const keys = Object.keys(target)
    const key = newKey ?? (keys.length > 0 ? keys[steps.at(-1)! % keys.length]! : 'extra')
    // defineProperty, so that `__proto__` becomes an own key as JSON.parse would make it.
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
    return event
  })

const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  mutatedEvent,
  fc.record({ event_type: fc.string(), event_id: fc.string(), event_data: fc.jsonValue() }),
)

const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  anyJson.map((value) => JSON.stringify(value) ?? ''),
  mutatedEvent.map((event) => JSON.stringify(event)),
)

function acceptingRouter() {
  return createRouter()
    .on('player.verify', (event) => ({
      player_id: event.event_data.player_id || 'p',
      name: 'Molly',
      attributes: {},
    }))
    .on('store.get', () => ({ items: [] }))
    .on('player.lookup', () => ({ status: 'ok', data: [] }))
    .onAny(() => undefined)
}

async function expectSafeAnswer(response: Response) {
  expect(response.status).toBeLessThan(500)
  expect(response.headers.get('content-type')).toBe('application/json')
  const text = await response.text()
  expect(text).not.toContain(SECRET)
  const json = JSON.parse(text) as Record<string, unknown>
  if (response.status >= 400) {
    expect(Object.keys(json).sort()).toEqual(['code', 'message', 'status'])
    expect(json.status).toBe('error')
    expect(Object.keys(errorCatalogue)).toContain(json.code)
    expect(errorCatalogue[json.code as keyof typeof errorCatalogue].status).toBe(response.status)
  }
}

describe('handler properties', () => {
  it('answers any correctly signed body without a 5xx or a throw, failures as JSON errors', async () => {
    const handle = createWebhookHandler({ secret: SECRET, router: acceptingRouter(), maxBodyBytes: 4096 })
    const codes = new Set<string>()
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const response = await handle(await signedRequest({ secret: SECRET, body }))
        codes.add(response.status === 200 ? 'ok' : (await response.clone().json()).code)
        await expectSafeAnswer(response)
      }),
      { numRuns: 500 },
    )
    // The inputs reach every stage: a generator that only made garbage would prove little.
    for (const code of ['ok', 'invalid_encoding', 'invalid_json', 'invalid_envelope', 'invalid_event_data']) {
      expect(codes).toContain(code)
    }
  })

  it('answers any body with arbitrary signature headers without a 5xx or a throw', async () => {
    const handle = createWebhookHandler({ secret: SECRET, router: acceptingRouter(), store: false })
    const headerText = fc
      .string({ unit: 'binary-ascii', maxLength: 80 })
      .map((text) => text.replace(/[^\t\x20-\xff]/g, ''))
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        fc.option(headerText),
        fc.option(fc.oneof(headerText, fc.integer().map(String))),
        fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
        async (body, signature, timestamp, method) => {
          const headers = new Headers()
          if (signature !== null) headers.set(SIGNATURE_HEADER, signature)
          if (timestamp !== null) headers.set(TIMESTAMP_HEADER, timestamp)
          const request = new Request('http://localhost/webhook', {
            method,
            headers,
            ...(method === 'GET' ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
          })
          const response = await handle(request)
          await expectSafeAnswer(response)
          expect(response.status).not.toBe(200) // nothing unsigned gets through
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('parseEvent properties', () => {
  it('never throws on any JSON value, and answers ok or one of its three codes', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const result = parseEvent(value)
        if (result.ok) {
          expect(isEventType(result.event.event_type)).toBe(true)
        } else {
          expect(['invalid_envelope', 'unknown_event_type', 'invalid_event_data']).toContain(result.code)
          expect(typeof result.message).toBe('string')
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('never throws on arbitrary JavaScript values (not only JSON)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
        (value) => {
          expect(() => parseEvent(value)).not.toThrow()
        },
      ),
      { numRuns: 500 },
    )
  })

  it('depends only on the JSON text: a value and its JSON round trip get the same verdict', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const direct = parseEvent(value)
        const roundTrip = parseEvent(JSON.parse(JSON.stringify(value) ?? 'null'))
        expect(roundTrip.ok ? 'ok' : roundTrip.code).toBe(direct.ok ? 'ok' : direct.code)
      }),
      { numRuns: 500 },
    )
  })

  it('names the offending field but never echoes a value from event_data', () => {
    fc.assert(
      fc.property(mutatedEvent, (event) => {
        const result = parseEvent(event)
        if (!result.ok && result.code !== 'unknown_event_type') expect(result.message).not.toContain(MARKER)
      }),
      { numRuns: 500 },
    )
  })

  it('accepts every fixture the catalogue ships', () => {
    for (const type of eventTypes)
      expect(parseEvent(JSON.parse(JSON.stringify(fixtureEvent(type)))).ok).toBe(true)
  })
})
