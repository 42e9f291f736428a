/**
 * OpenTelemetry tracing, without depending on it: the handler takes a tracer (`trace.getTracer(…)` from
 * `@opentelemetry/api`, an optional peer dependency) and, given one, wraps its parts at creation so each
 * delivery is a span with verify, claim, handler and commit spans inside. Without one nothing here runs per
 * request: every function returns what it was given. Attributes are ids, types, outcomes and statuses, never
 * a secret, a header or a body.
 */
import { isTransactional, transactional } from './router/transactional.js'

export type SpanAttributeValue = string | number | boolean

/** What the library uses of an OpenTelemetry `Span`; `@opentelemetry/api`'s spans have it. */
export interface SpanLike {
  setAttribute(key: string, value: SpanAttributeValue): unknown
  setStatus(status: { code: number; message?: string }): unknown
  isRecording(): boolean
  end(): void
}

/** What the library uses of an OpenTelemetry `Tracer`; `trace.getTracer('…')` returns one. */
export interface TracerLike {
  startActiveSpan<F extends (span: SpanLike) => unknown>(
    name: string,
    options: { kind?: number; attributes?: Record<string, SpanAttributeValue> },
    fn: F,
  ): ReturnType<F>
}

/** The spans' names: `aghanim.webhook` per delivery, the steps inside it (forward: the server's forward mode). */
export const spanNames = {
  delivery: 'aghanim.webhook',
  verify: 'aghanim.verify',
  claim: 'aghanim.claim',
  handler: 'aghanim.handler',
  commit: 'aghanim.commit',
  forward: 'aghanim.forward',
} as const

// OpenTelemetry's SpanKind.SERVER / INTERNAL and SpanStatusCode.ERROR, by value (no import).
const SERVER = 1
const INTERNAL = 0
const ERROR = 2

/** What a finished delivery tells its span. */
interface DeliveryFacts {
  outcome: string
  status: number
  key: string | null
  attempt: number
  duplicate: boolean
  event?: { event_type: string; event_id: string } | undefined
}

/** `process` itself without a tracer; with one, the same function inside an `aghanim.webhook` span. */
export function traceDeliveries<Q extends { method: string }, C, B, R extends DeliveryFacts>(
  tracer: TracerLike | undefined,
  process: (request: Q, config: C, body: B) => Promise<R>,
): (request: Q, config: C, body: B) => Promise<R> {
  if (!tracer) return process
  return (request, config, body) =>
    tracer.startActiveSpan(
      spanNames.delivery,
      { kind: SERVER, attributes: { 'http.request.method': request.method } },
      async (span) => {
        try {
          const delivery = await process(request, config, body)
          if (span.isRecording()) describeDelivery(span, delivery)
          return delivery
        } finally {
          span.end()
        }
      },
    )
}

function describeDelivery(span: SpanLike, delivery: DeliveryFacts): void {
  span.setAttribute('http.response.status_code', delivery.status)
  span.setAttribute('aghanim.outcome', delivery.outcome)
  span.setAttribute('aghanim.duplicate', delivery.duplicate)
  span.setAttribute('aghanim.attempt', delivery.attempt)
  if (delivery.event) {
    span.setAttribute('aghanim.event_type', delivery.event.event_type)
    span.setAttribute('aghanim.event_id', delivery.event.event_id)
  }
  if (delivery.key !== null) span.setAttribute('aghanim.idempotency_key', delivery.key)
  // A server span's 4xx is the client's mistake, not the server's (OpenTelemetry's HTTP conventions).
  if (delivery.status >= 500) span.setStatus({ code: ERROR, message: delivery.outcome })
}

type Verify = (...args: never[]) => { ok: boolean } | Promise<{ ok: boolean }>
type Handler = (event: never, context: never) => unknown

// The parts of the handler's config that get traced, typed by what tracing uses of them.
interface Traceable {
  router: { resolve(type: string): Handler | undefined }
  store: StoreLike | undefined
  verify: Verify
}

type ClaimFacts = { eventType: string }
type AnswerFacts = { status: number }

interface StoreLike {
  claim(key: string, options: never): Promise<{ kind: string }>
  complete(key: string, token: string, answer: never, work: never): Promise<boolean>
  completeUnclaimed?(key: string, answer: never, work: never, options: never): Promise<boolean>
}

/** The handler's config as it is without a tracer; with one, its router, store and verify traced. */
export function withTracing<C extends Traceable>(tracer: TracerLike | undefined, config: C): C {
  if (!tracer) return config
  const verify = config.verify as (...args: unknown[]) => { ok: boolean } | Promise<{ ok: boolean }>
  return {
    ...config,
    router: tracedRouter(tracer, config.router),
    store: config.store && tracedStore(tracer, config.store),
    verify: ((...args: unknown[]) =>
      step(tracer, spanNames.verify, {}, async (span) => {
        const verified = await verify(...args)
        span.setAttribute('aghanim.outcome', verified.ok ? 'ok' : outcomeOf(verified))
        return verified
      })) as C['verify'],
  }
}

function outcomeOf(result: { ok: boolean }): string {
  return (result as { error?: { code?: string } }).error?.code ?? 'refused'
}

function tracedRouter<R extends Traceable['router']>(tracer: TracerLike, router: R): R {
  return forwarding(router, {
    resolve(type: string) {
      const handler = router.resolve(type)
      if (!handler) return handler
      const traced: Handler = (event, context) =>
        step(
          tracer,
          spanNames.handler,
          { 'aghanim.event_type': type, 'aghanim.attempt': (context as { attempt: number }).attempt },
          // Run inside the span, so the handler's own spans (database, HTTP) are its children.
          async () => handler(event, context),
        )
      return isTransactional(handler) ? transactional(traced) : traced
    },
  })
}

function tracedStore<S extends StoreLike>(tracer: TracerLike, store: S): S {
  const commitSpan = (answer: never, commit: () => Promise<boolean>) =>
    step(
      tracer,
      spanNames.commit,
      { 'http.response.status_code': (answer as AnswerFacts).status },
      async (span) => {
        const committed = await commit()
        span.setAttribute('aghanim.committed', committed)
        return committed
      },
    )
  // Only a store that has it gets the traced `completeUnclaimed`: its presence is what the receiver asks.
  const unclaimed = store.completeUnclaimed
    ? {
        completeUnclaimed: (key: string, answer: never, work: never, options: never) =>
          commitSpan(answer, () => store.completeUnclaimed!(key, answer, work, options)),
      }
    : {}
  return forwarding(store, {
    ...unclaimed,
    claim: (key: string, options: never) =>
      step(
        tracer,
        spanNames.claim,
        { 'aghanim.event_type': (options as ClaimFacts).eventType },
        async (span) => {
          const claim = await store.claim(key, options)
          span.setAttribute('aghanim.claim', claim.kind)
          return claim
        },
      ),
    complete: (key: string, token: string, answer: never, work: never) =>
      commitSpan(answer, () => store.complete(key, token, answer, work)),
  })
}

/** `target` with some methods replaced; every other property read from (and methods bound to) `target`. */
function forwarding<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property]
      const value = Reflect.get(object, property, object)
      return typeof value === 'function' ? value.bind(object) : value
    },
  })
}

function step<T>(
  tracer: TracerLike,
  name: string,
  attributes: Record<string, SpanAttributeValue>,
  run: (span: SpanLike) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: INTERNAL, attributes }, async (span) => {
    try {
      return await run(span)
    } catch (error) {
      // The error's code or class, never its message: a handler's message may carry a player's data.
      span.setStatus({ code: ERROR, message: errorName(error) })
      throw error
    } finally {
      span.end()
    }
  })
}

function errorName(error: unknown): string {
  if (!(error instanceof Error)) return 'Error'
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : error.name
}
