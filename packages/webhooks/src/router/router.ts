import { AghanimWebhookError } from '../errors.js'
import type {
  AnswerFor,
  AnyWebhookEvent,
  EventType,
  SubscriptionPattern,
  WebhookEvent,
} from '../events/index.js'
import { matchesPattern } from '../events/index.js'
import type { TransactionWork } from '../idempotency/store.js'
import type { Reply } from './reply.js'

/** What a handler learns about the delivery besides the event itself. */
export interface HandlerContext<Tx = unknown> {
  /** Idempotency key (`idempotency_key`, else `event_id`); null for decision events, which are not deduplicated. */
  key: string | null
  /** 1 for the first attempt at this key; higher when an earlier attempt failed or its process died. */
  attempt: number
  /**
   * Queues database work that commits in the same transaction as the idempotency record, so the effect
   * happens exactly once and no 2xx is sent before it is durable. Needs a database-backed store.
   */
  transact(work: TransactionWork<Tx>): void
  /** The verified body, byte for byte as received (to forward or archive it without re-serializing). */
  body: Uint8Array
  /** The request's headers (the same object the delivery carries, so it can key per-delivery state). */
  headers: Headers
  /** The game whose secret verified the delivery (the `secrets` option); `null` for a receiver of one `secret`. */
  game: string | null
  /** The envelope's `sandbox` flag: a test purchase from the game's sandbox. */
  sandbox: boolean
  /**
   * The ledger this delivery belongs to: its game, with `:sandbox` when sandbox deliveries are kept apart
   * (`sandbox: 'separate'`); `''` for one `secret`'s live deliveries. Its key is deduplicated within it.
   */
  scope: string
}

/** A handler may return the event's documented answer, an explicit `Reply`, or nothing (a plain 200 ack). */
export type HandlerResult<T extends EventType> = AnswerFor<T> | Reply

/** The event of one type, or for several (a list, `order.*`) a union that `event.event_type` narrows. */
export type EventOf<T extends EventType> = { [K in T]: WebhookEvent<K> }[T]

export type EventHandler<T extends EventType, Tx = unknown> = (
  event: EventOf<T>,
  context: HandlerContext<Tx>,
) => HandlerResult<T> | Promise<HandlerResult<T>>

/** Event types selected by a name or a subscription pattern such as `order.*`. */
export type EventsFor<P extends EventType | SubscriptionPattern> = P extends `${infer Family}.*`
  ? Extract<EventType, `${Family}.${string}`>
  : Extract<P, EventType>

export type ErrorHook = (
  error: unknown,
  event: AnyWebhookEvent,
) => Reply | undefined | Promise<Reply | undefined>

/** A registered handler as `resolve` returns it: any event of the types it was registered for. */
export type RouteHandler<Tx = unknown> = (event: AnyWebhookEvent, context: HandlerContext<Tx>) => unknown

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never

/**
 * One non-generic overload per event type. A generic signature would infer the handler's return type before
 * the event type is known and widen literal answers (`status: 'ok'`) to `string` for handlers without parameters.
 */
type OnEach<Tx> = UnionToIntersection<
  { [K in EventType]: (types: K, handler: EventHandler<K, Tx>) => Router<Tx> }[EventType]
>

/** Several types or a subscription pattern such as `order.*`; `event` is narrowed to the matching types. */
type OnMany<Tx> = <P extends EventType | SubscriptionPattern>(
  types: P | readonly P[],
  handler: EventHandler<EventsFor<NoInfer<P>>, Tx>,
) => Router<Tx>

/** Routes verified, validated events to typed handlers. Create one with `createRouter()`. */
export interface Router<Tx = unknown> {
  /**
   * Handles one event type, several, or a subscription pattern; `event` is narrowed to the matching types.
   *
   * @example
   * router.on('item.add', async (event, { transact }) => {
   *   transact((tx) => grant(tx, event.event_data.player_id, event.event_data.items))
   * })
   */
  on: OnEach<Tx> & OnMany<Tx>
  /** Handles every event no `on` handler took. */
  onAny(handler: (event: AnyWebhookEvent, context: HandlerContext<Tx>) => unknown): Router<Tx>
  /** Observes handler failures (for logging); may return a `Reply` to answer instead of the default 500. */
  onError(hook: ErrorHook): Router<Tx>
  /**
   * The handler for `type`, most specific first: exact name, then pattern, then `onAny`; `undefined` when none
   * is registered. The receiver routes with it, and it is how routers are layered: a `Router` of your own
   * whose `resolve` asks yours first and another's next is a router like any other, and a handler can call
   * the handler it wraps.
   *
   * @example
   * const ledger = createRouter().on('item.add', grant)
   * const audited = createRouter().on('item.add', (event, context) => {
   *   audit(event)
   *   return ledger.resolve(event.event_type)?.(event, context)
   * })
   */
  resolve(type: string): RouteHandler<Tx> | undefined
  /** The `onError` hooks, in the order they were added (a layered router lists its own first). */
  readonly errorHooks: readonly ErrorHook[]
}

/**
 * Creates a router. `Tx` is the transaction type of the store you will use (e.g. the SQLite or PostgreSQL store's).
 *
 * @example
 * const router = createRouter()
 *   .on('player.verify', (e) => ({ player_id: e.event_data.player_id, name: 'Molly', attributes: {} }))
 *   .on('order.*', (e) => console.log(e.event_type, e.event_data.id))
 */
export function createRouter<Tx = unknown>(): Router<Tx> {
  const exact = new Map<string, RouteHandler<Tx>>()
  const patterns: { pattern: string; handler: RouteHandler<Tx> }[] = []
  const errorHooks: ErrorHook[] = []
  let fallback: RouteHandler<Tx> | undefined

  const on = (types: string | readonly string[], handler: RouteHandler<Tx>): Router<Tx> => {
    const list = (Array.isArray(types) ? types : [types]) as readonly string[]
    // Checked before registering any, so a rejected call leaves the router as it was.
    list.forEach((type, index) => {
      const taken = exact.has(type) || patterns.some((entry) => entry.pattern === type)
      if (taken || list.indexOf(type) !== index) throw duplicateHandler(type)
    })
    for (const type of list) {
      if (type.endsWith('.*')) patterns.push({ pattern: type, handler })
      else exact.set(type, handler)
    }
    return router
  }
  const router: Router<Tx> = {
    on: on as Router<Tx>['on'],
    onAny(handler) {
      if (fallback) throw duplicateHandler('onAny')
      fallback = handler
      return router
    },
    onError(hook) {
      errorHooks.push(hook)
      return router
    },
    resolve(type) {
      return (
        exact.get(type) ?? patterns.find((entry) => matchesPattern(entry.pattern, type))?.handler ?? fallback
      )
    },
    errorHooks,
  }
  return router
}

function duplicateHandler(type: string): AghanimWebhookError {
  return new AghanimWebhookError('invalid_config', `A handler for ${type} is already registered.`)
}
