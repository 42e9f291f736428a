import { context, type Tracer, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import {
  createRouter,
  createWebhookHandler,
  fixtureEvent,
  type Router,
  spanNames,
  transactional,
} from 'aghanim-webhooks'
import { signedRequest } from 'aghanim-webhooks/testing'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { traceDeliveries, withTracing } from '../src/tracing.js'

const SECRET = 'whsec_tracing_Zq81'
const exporter = new InMemorySpanExporter()
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
const tracer: Tracer = provider.getTracer('aghanim-webhooks-test')
// As the SDK's Node setup does: the active span follows async calls, so steps nest under their delivery.
const contextManager = new AsyncLocalStorageContextManager().enable()
context.setGlobalContextManager(contextManager)
afterAll(() => context.disable())
beforeEach(() => exporter.reset())

function handlerWith(router: Router) {
  return createWebhookHandler({ secret: SECRET, router, tracer })
}

async function deliver(handle: (request: Request) => Promise<Response>, event: unknown) {
  const response = await handle(await signedRequest({ secret: SECRET, event }))
  return { status: response.status, body: await response.text() }
}

async function spans() {
  // The SDK exports ended spans asynchronously.
  await provider.forceFlush()
  const finished = exporter.getFinishedSpans()
  const delivery = finished.filter((span) => span.name === spanNames.delivery)
  const childrenOf = (id: string) =>
    finished.filter((span) => span.parentSpanContext?.spanId === id).map((span) => span.name)
  return {
    finished,
    delivery,
    childrenOf,
    named: (name: string) => finished.find((span) => span.name === name)!,
  }
}

describe('OpenTelemetry spans per delivery', () => {
  it('traces a transactional grant without a claim span: its key commits with its work in one step', async () => {
    const handle = handlerWith(
      createRouter().on(
        'item.add',
        transactional(() => undefined),
      ),
    )
    expect(await deliver(handle, fixtureEvent('item.add'))).toEqual({ status: 200, body: '{"status":"ok"}' })
    const { delivery, childrenOf, named } = await spans()
    expect(childrenOf(delivery[0]!.spanContext().spanId)).toEqual([
      spanNames.verify,
      spanNames.handler,
      spanNames.commit,
    ])
    expect(named(spanNames.commit).attributes).toEqual({
      'http.response.status_code': 200,
      'aghanim.committed': true,
    })
  })

  it('traces a grant as one server span with verify, claim, handler and commit inside', async () => {
    const handle = handlerWith(createRouter().on('item.add', () => undefined))
    const event = fixtureEvent('item.add')
    expect(await deliver(handle, event)).toEqual({ status: 200, body: '{"status":"ok"}' })
    const { delivery, childrenOf, named } = await spans()
    expect(delivery).toHaveLength(1)
    expect(childrenOf(delivery[0]!.spanContext().spanId)).toEqual([
      spanNames.verify,
      spanNames.claim,
      spanNames.handler,
      spanNames.commit,
    ])
    expect(delivery[0]!.kind).toBe(1) // SERVER
    expect(delivery[0]!.attributes).toEqual({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'aghanim.outcome': 'ok',
      'aghanim.duplicate': false,
      'aghanim.attempt': 1,
      'aghanim.event_type': 'item.add',
      'aghanim.event_id': event.event_id,
      'aghanim.idempotency_key': event.idempotency_key,
    })
    expect(named(spanNames.verify).attributes).toEqual({ 'aghanim.outcome': 'ok' })
    expect(named(spanNames.claim).attributes).toEqual({
      'aghanim.event_type': 'item.add',
      'aghanim.claim': 'acquired',
    })
    expect(named(spanNames.handler).attributes).toEqual({
      'aghanim.event_type': 'item.add',
      'aghanim.attempt': 1,
    })
    expect(named(spanNames.commit).attributes).toEqual({
      'http.response.status_code': 200,
      'aghanim.committed': true,
    })
  })

  it('shows a duplicate as a claim that found the stored answer, with no handler span', async () => {
    const handle = handlerWith(createRouter().on('item.add', () => undefined))
    const event = fixtureEvent('item.add')
    await deliver(handle, event)
    exporter.reset()
    await deliver(handle, event)
    const { delivery, childrenOf, named } = await spans()
    expect(childrenOf(delivery[0]!.spanContext().spanId)).toEqual([spanNames.verify, spanNames.claim])
    expect(named(spanNames.claim).attributes['aghanim.claim']).toBe('completed')
    expect(delivery[0]!.attributes).toMatchObject({
      'aghanim.duplicate': true,
      'http.response.status_code': 200,
    })
  })

  it('shows a forged delivery stopped at verify, as a 4xx that is not a server error', async () => {
    const handle = handlerWith(createRouter().on('item.add', () => undefined))
    const request = await signedRequest({ secret: 'whsec_someone_else', event: fixtureEvent('item.add') })
    expect((await handle(request)).status).toBe(403)
    const { delivery, childrenOf, named } = await spans()
    expect(childrenOf(delivery[0]!.spanContext().spanId)).toEqual([spanNames.verify])
    expect(named(spanNames.verify).attributes).toEqual({ 'aghanim.outcome': 'signature_mismatch' })
    expect(delivery[0]!.attributes).toMatchObject({ 'aghanim.outcome': 'signature_mismatch' })
    expect(delivery[0]!.status.code).toBe(0) // UNSET
  })

  it("marks a failing handler's span with the error's class, never its message", async () => {
    const handle = handlerWith(
      createRouter().on('item.add', () => {
        throw new TypeError('player p_private has email someone@example.com')
      }),
    )
    expect((await deliver(handle, fixtureEvent('item.add'))).status).toBe(500)
    const { delivery, named } = await spans()
    expect(named(spanNames.handler).status).toEqual({ code: 2, message: 'TypeError' })
    expect(delivery[0]!.status).toEqual({ code: 2, message: 'handler_failed' })
    expect(JSON.stringify((await spans()).finished.map((span) => span.events))).not.toContain(
      'someone@example.com',
    )
  })

  it("nests the handler's own spans under the handler span", async () => {
    const handle = handlerWith(
      createRouter().on('player.verify', async (event) => {
        await tracer.startActiveSpan('load player', async (span) => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          span.end()
        })
        return { player_id: event.event_data.player_id, name: 'Molly', attributes: {} }
      }),
    )
    expect((await deliver(handle, fixtureEvent('player.verify'))).status).toBe(200)
    const { named, childrenOf } = await spans()
    expect(childrenOf(named(spanNames.handler).spanContext().spanId)).toEqual(['load player'])
    // A decision event is not deduplicated: no claim, no commit.
    expect(childrenOf(named(spanNames.delivery).spanContext().spanId)).toEqual([
      spanNames.verify,
      spanNames.handler,
    ])
  })

  it('records no secret, signature, header or body', async () => {
    const handle = handlerWith(createRouter().on('item.add', () => undefined))
    const event = fixtureEvent('item.add', { event_data: { reason: 'BODY-MARKER-7731' } })
    const request = await signedRequest({ secret: SECRET, event })
    const signature = request.headers.get('x-aghanim-signature')!
    await handle(request)
    const recorded = JSON.stringify(
      (await spans()).finished.map((span) => [
        span.name,
        span.attributes,
        span.status,
        span.events,
        span.links,
      ]),
    )
    for (const secret of [SECRET, signature, 'BODY-MARKER-7731', 'Aghanim/0.1.0', 'crystals'])
      expect(recorded).not.toContain(secret)
  })

  it('works with the global tracer of @opentelemetry/api once a provider is registered', async () => {
    trace.setGlobalTracerProvider(provider)
    const handle = createWebhookHandler({
      secret: SECRET,
      router: createRouter().on('item.add', () => undefined),
      tracer: trace.getTracer('aghanim-webhooks'),
    })
    await deliver(handle, fixtureEvent('item.add'))
    expect((await spans()).delivery).toHaveLength(1)
    trace.disable()
  })
})

describe('without a tracer', () => {
  it('runs no tracing code: the handler gets its own functions and parts back, unwrapped', () => {
    const process = async () => ({ outcome: 'ok', status: 200, key: null, attempt: 1, duplicate: false })
    expect(traceDeliveries(undefined, process)).toBe(process)
    const config = { router: createRouter(), store: undefined, verify: async () => ({ ok: true }) }
    expect(withTracing(undefined, config)).toBe(config)
  })
})
