import { errorAnswer, toResponse, type WebhookAnswer } from './answer.js'
import { DEFAULT_MAX_BODY_BYTES, decodeUtf8, readBody } from './body.js'
import type { HmacEngine } from './crypto/hmac.js'
import { AghanimWebhookError, type ErrorCode, errorCatalogue } from './errors.js'
import { type AnyWebhookEvent, isDecisionEvent, parseEvent } from './events/index.js'
import { headerOf } from './headers.js'
import { MemoryStore } from './idempotency/memory.js'
import { runOnce } from './idempotency/once.js'
import type { IdempotencyStore, TransactionWork } from './idempotency/store.js'
import type { DirectBody, IncomingRequest } from './request.js'
import { type RoutedAnswer, toAnswer } from './router/answer.js'
import type { HandlerContext, RouteHandler, Router } from './router/router.js'
import { isTransactional } from './router/transactional.js'
import { ledgerScope, type SandboxPolicy, scopedKey } from './scope.js'
import { webhookGameSecrets, webhookSecrets } from './secrets.js'
import { type TracerLike, traceDeliveries, withTracing } from './tracing.js'
import { prepareVerify, type ReplayWindow, verifyWith } from './verify.js'

/** Options of `createWebhookHandler` and every adapter: `secret` (one game) or `secrets` (several), and a router. */
export interface WebhookHandlerOptions<Tx = unknown> {
  /**
   * The webhook secret, or several during rotation (one game). Give `secrets` instead for several games: each
   * delivery is checked against every secret, the one that matches names the game (`context.game`), and an
   * envelope whose `game_id` is another game's is refused with 403 `game_mismatch`.
   */
  secret?: string | readonly string[]
  /**
   * Several games: each game's id and its secret, or several during a rotation.
   *
   * @example secrets: { gm_a: [process.env.GM_A_SECRET!, process.env.GM_A_OLD_SECRET!], gm_b: process.env.GM_B_SECRET! }
   */
  secrets?: Readonly<Record<string, string | readonly string[]>>
  /**
   * Sandbox deliveries (`sandbox: true`): `accept` (default) like live ones, `separate` with idempotency keys of
   * their own (`context.scope`), `reject` refused with 403 `sandbox_not_accepted`.
   */
  sandbox?: SandboxPolicy
  router: Router<Tx>
  /** Idempotency store. Defaults to an in-process `MemoryStore`; pass a durable one in production, or `false`. */
  store?: IdempotencyStore<Tx> | false
  /** Replay window for the signature timestamp (see `DEFAULT_REPLAY_WINDOW`); `false` disables the check. */
  replayWindow?: Partial<ReplayWindow> | false
  /** Bodies above this many bytes are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number
  /** `reject` (default, Aghanim's sample: 400 "Unknown event type") or `acknowledge` (200, and reported). */
  unknownEventType?: 'reject' | 'acknowledge'
  /** How long one attempt may hold an idempotency key before a retry may take over. Default 60 s. */
  leaseMs?: number
  /** How long a concurrent duplicate waits for the first attempt's answer before a 409. Default 10 s. */
  inFlightWaitMs?: number
  /** Called once per request with everything the delivery log needs (no secrets). */
  onDelivery?: (delivery: Delivery) => void | Promise<void>
  /**
   * An OpenTelemetry tracer (`trace.getTracer('aghanim-webhooks')` from `@opentelemetry/api`): a span per
   * delivery, with verify, claim, handler and commit spans inside. Absent (the default), no tracing runs.
   */
  tracer?: TracerLike
  now?: () => number
  engine?: HmacEngine
}

/**
 * What happened to one request: the input to the delivery log, metrics and the inspector. `url`, `headers` and
 * `request` are accessors, built on first read: copy the fields a log keeps (`{ url: d.url, … }`) rather than
 * spreading the object, which copies own fields only.
 */
export interface Delivery {
  receivedAt: number
  /** The request's method, URL and headers (the same as `request`'s, without building it). */
  method: string
  url: string
  headers: Headers
  /**
   * The header lines as received, `[name, value, name, value, …]`, behind the Node adapters (absent behind
   * fetch runtimes): what a log can keep without building `headers`.
   */
  rawHeaders?: readonly string[]
  /**
   * The request as a web `Request` (without its body, which is `body`). Behind the Node adapters it is built
   * on first use; a method the Fetch spec forbids (TRACE, CONNECT) shows there as GET, `method` has it right.
   */
  request: Request
  body: Uint8Array | undefined
  /** `ok`, or the error code that decided the answer. */
  outcome: 'ok' | AghanimWebhookError['code'] | 'unknown_event_acknowledged'
  event: AnyWebhookEvent | undefined
  key: string | null
  status: number
  responseBody: string
  durationMs: number
  /** The game whose secret verified the delivery (the `secrets` option); `null` with a single `secret`, or unverified. */
  game: string | null
  /** The envelope's `sandbox` flag (false when there was no valid envelope). */
  sandbox: boolean
  /** The attempt number the handler ran as (as in its context); 0 when it did not run. */
  attempt: number
  duplicate: boolean
  error?: unknown
}

/**
 * The whole receiver as one web-standard function: method → body limit → signature → UTF-8 → JSON →
 * envelope → idempotency → your handler → Aghanim's expected answer. Every failure is a JSON 4xx with a
 * stable code (5xx only when the handler or the store failed, so that Aghanim retries).
 *
 * @example
 * const handle = createWebhookHandler({ secret: process.env.AGHANIM_WEBHOOK_SECRET!, router })
 * export const POST = handle // Next.js route handler, Bun.serve, Deno.serve, Workers' fetch
 */
export function createWebhookHandler<Tx = unknown>(
  options: WebhookHandlerOptions<Tx>,
): (request: Request) => Promise<Response> {
  const answer = createWebhookAnswerer(options)
  return async (request) => toResponse(await answer(request))
}

/**
 * `createWebhookHandler` without the `Response`: the Node adapters write the answer to the socket
 * themselves, which saves a web stream and a `Response` per request. Internal to the adapters.
 */
export function createWebhookAnswerer<Tx = unknown>(
  options: WebhookHandlerOptions<Tx>,
): (request: IncomingRequest, body?: DirectBody) => Promise<WebhookAnswer> {
  const config = resolveConfig(options)
  const run = traceDeliveries(options.tracer, process)
  return async (request, body) => {
    const receivedAt = config.now()
    const delivery = await run(request, config, body)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (delivery.duplicate) headers['x-idempotent-replay'] = 'true'
    // RFC 9110 §15.5.6: a 405 names the methods the resource does allow.
    if (delivery.status === 405) headers.allow = 'POST'
    // RFC 9110 §10.2.3: the store is away (a database restart, a failover); when to come back.
    if (delivery.status === 503) headers['retry-after'] = RETRY_AFTER_SECONDS
    if (options.onDelivery) {
      await options.onDelivery(deliveryOf(request, delivery, receivedAt, config.now() - receivedAt))
    }
    return { status: delivery.status, body: delivery.responseBody, headers }
  }
}

function deliveryOf(
  incoming: IncomingRequest,
  processed: Processed,
  receivedAt: number,
  durationMs: number,
): Delivery {
  return new ReceivedDelivery(incoming, processed, receivedAt, durationMs)
}

// A class, not an object literal with getters: one per request, and V8 builds these far faster. The URL and the
// web `Headers` are built only when read (the Node adapters' incoming request builds each on first use); it
// holds the adapter's incoming request, which holds header strings, not the socket.
class ReceivedDelivery implements Delivery {
  readonly receivedAt: number
  readonly durationMs: number
  readonly method: string
  readonly rawHeaders: readonly string[] | undefined
  readonly body: Uint8Array | undefined
  readonly outcome: Delivery['outcome']
  readonly event: AnyWebhookEvent | undefined
  readonly key: string | null
  readonly game: string | null
  readonly sandbox: boolean
  readonly status: number
  readonly responseBody: string
  readonly attempt: number
  readonly duplicate: boolean
  readonly error?: unknown
  readonly #incoming: IncomingRequest
  #request: Request | undefined

  constructor(incoming: IncomingRequest, processed: Processed, receivedAt: number, durationMs: number) {
    this.#incoming = incoming
    // Node adapters pass raw header lines and never a Request; not naming the global `Request` for them keeps
    // Node's bundled undici, which defines it, unloaded in a server on node:http.
    this.#request = incoming.rawHeaders === undefined && incoming instanceof Request ? incoming : undefined
    this.receivedAt = receivedAt
    this.durationMs = durationMs
    this.method = incoming.method
    this.rawHeaders = incoming.rawHeaders
    this.body = processed.body
    this.outcome = processed.outcome
    this.event = processed.event
    this.key = processed.key
    this.game = processed.game
    this.sandbox = processed.sandbox
    this.status = processed.status
    this.responseBody = processed.responseBody
    this.attempt = processed.attempt
    this.duplicate = processed.duplicate
    if ('error' in processed) this.error = processed.error
  }

  get url(): string {
    return this.#incoming.url
  }

  get headers(): Headers {
    return this.#incoming.headers
  }

  get request(): Request {
    this.#request ??= webRequestOf(this.#incoming)
    return this.#request
  }
}

function webRequestOf({ method, url, headers }: IncomingRequest): Request {
  try {
    return new Request(url, { method, headers })
  } catch {
    return new Request(url, { headers })
  }
}

/** Seconds a 503 asks the sender to wait: a database restart or failover usually takes a few. */
const RETRY_AFTER_SECONDS = '5'

type Config<Tx> = ReturnType<typeof resolveConfig<Tx>>

function resolveConfig<Tx>(options: WebhookHandlerOptions<Tx>) {
  if (options.secret !== undefined && options.secrets !== undefined)
    throw new AghanimWebhookError(
      'invalid_config',
      'The webhook options `secret` and `secrets` are exclusive: `secret` for one game, `secrets` for several.',
    )
  const named = options.secrets === undefined ? undefined : webhookGameSecrets(options.secrets)
  const secrets = named ? named.secrets : webhookSecrets(options.secret)
  return withTracing(options.tracer, {
    secrets,
    /** The game of each secret, by index; undefined for a single game. */
    games: named?.games,
    sandbox: options.sandbox ?? 'accept',
    // Verification with options prepared once (`signatureCheck`); the tracer, when given, wraps it in a span.
    verify: verifyWith,
    router: options.router,
    store:
      options.store === false ? undefined : (options.store ?? (new MemoryStore() as IdempotencyStore<Tx>)),
    signatureCheck: prepareVerify({
      secrets,
      replayWindow: options.replayWindow,
      now: options.now,
      engine: options.engine,
    }),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    acknowledgeUnknown: options.unknownEventType === 'acknowledge',
    leaseMs: options.leaseMs ?? 60_000,
    inFlightWaitMs: options.inFlightWaitMs ?? 10_000,
    now: options.now ?? Date.now,
  })
}

type Processed = Omit<Delivery, 'request' | 'method' | 'url' | 'headers' | 'receivedAt' | 'durationMs'>

async function process<Tx>(
  request: IncomingRequest,
  config: Config<Tx>,
  direct: DirectBody | undefined,
): Promise<Processed> {
  const state: Processed = {
    body: undefined,
    outcome: 'ok',
    event: undefined,
    key: null,
    game: null,
    sandbox: false,
    status: 0,
    responseBody: '',
    attempt: 0,
    duplicate: false,
  }
  try {
    const answer = await receive(request, config, state, direct)
    const outcome = state.outcome === 'ok' ? refusalCode(answer) : state.outcome
    return { ...state, outcome, status: answer.status, responseBody: answer.body }
  } catch (error) {
    const known =
      error instanceof AghanimWebhookError
        ? error
        : new AghanimWebhookError('handler_failed', 'The webhook handler failed.', { cause: error })
    const answer = errorAnswer(known)
    return { ...state, outcome: known.code, status: answer.status, responseBody: answer.body, error }
  }
}

async function receive<Tx>(
  request: IncomingRequest,
  config: Config<Tx>,
  state: Processed,
  direct: DirectBody | undefined,
): Promise<RoutedAnswer> {
  if (request.method !== 'POST')
    throw new AghanimWebhookError(
      'method_not_allowed',
      `${request.method} is not allowed; Aghanim delivers with POST.`,
    )
  state.body = await readBody(request, config.maxBodyBytes, direct)
  const checked = config.verify(
    state.body,
    (name) => headerOf(request, name) ?? undefined,
    config.signatureCheck,
  )
  // node:crypto answers at once: no turn of the event loop for a verdict already there.
  const verified = checked instanceof Promise ? await checked : checked
  if (!verified.ok) throw verified.error
  const game = config.games ? config.games[verified.secretIndex]! : null
  state.game = game
  const parsed = parseEvent(parseJson(decodeUtf8(state.body)))
  if (!parsed.ok) {
    if (parsed.code === 'unknown_event_type' && config.acknowledgeUnknown) {
      state.outcome = 'unknown_event_acknowledged'
      return { status: 200, body: '{"status":"ok"}', final: true }
    }
    throw new AghanimWebhookError(parsed.code, parsed.message)
  }
  const event = parsed.event
  state.event = event
  if (game !== null && event.game_id !== undefined && event.game_id !== game)
    throw new AghanimWebhookError(
      'game_mismatch',
      `The envelope names game ${JSON.stringify(event.game_id)}, but the delivery is signed with the secret of ${game}.`,
    )
  const sandbox = event.sandbox === true
  state.sandbox = sandbox
  if (sandbox && config.sandbox === 'reject')
    throw new AghanimWebhookError(
      'sandbox_not_accepted',
      'This receiver does not accept sandbox deliveries; point the sandbox webhook elsewhere or disable it.',
    )
  const scope = ledgerScope(game, sandbox && config.sandbox === 'separate')
  const raw: Raw = { body: state.body, request, game, sandbox, scope }
  const handler = config.router.resolve(event.event_type)
  if (!handler)
    throw new AghanimWebhookError('unhandled_event', `No handler is registered for ${event.event_type}.`)
  if (isDecisionEvent(event.event_type) || !config.store) {
    state.attempt = 1
    return await dispatch(handler, event, null, 1, config, unsupportedTransact, raw)
  }
  const key = event.idempotency_key ?? event.event_id
  state.key = key
  const once = await runOnce(
    config.store,
    scopedKey(scope, key),
    {
      leaseMs: config.leaseMs,
      waitMs: config.inFlightWaitMs,
      now: config.now,
      sleep,
      eventType: event.event_type,
      eventId: event.event_id,
      unclaimedFirst: isTransactional(handler),
    },
    (attempt, transact) => {
      // Recorded before running, so a failed attempt is logged with its number too.
      state.attempt = attempt
      return dispatch(handler, event, key, attempt, config, transact, raw)
    },
  )
  state.attempt = once.attempt
  state.duplicate = once.duplicate
  return once.answer
}

async function dispatch<Tx>(
  handler: RouteHandler<Tx>,
  event: AnyWebhookEvent,
  key: string | null,
  attempt: number,
  config: Config<Tx>,
  transact: (work: TransactionWork<Tx>) => void,
  raw: Raw,
): Promise<RoutedAnswer> {
  const context: HandlerContext<Tx> = new Context(key, attempt, transact, raw)
  try {
    const result = handler(event, context)
    // Most handlers answer at once (player.verify from memory): no microtask turn for a value already there.
    return toAnswer(event.event_type, isPromiseLike(result) ? await result : result)
  } catch (error) {
    for (const hook of config.router.errorHooks) {
      const replacement = await hook(error, event)
      if (replacement) return toAnswer(event.event_type, replacement)
    }
    throw error
  }
}

/** What a handler's context carries of the request besides its key and attempt. */
interface Raw {
  body: Uint8Array
  request: IncomingRequest
  game: string | null
  sandbox: boolean
  scope: string
}

/** A handler's own refusal (`decline`, `deny`, a stored decline replayed) is logged by its catalogue code. */
function refusalCode(answer: RoutedAnswer): Delivery['outcome'] {
  if (answer.status < 400) return 'ok'
  try {
    const code: unknown = JSON.parse(answer.body)?.code
    return typeof code === 'string' && Object.hasOwn(errorCatalogue, code) ? (code as ErrorCode) : 'ok'
  } catch {
    return 'ok'
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new AghanimWebhookError(
      'invalid_json',
      `The body is not valid JSON: ${(cause as Error).message.slice(0, 120)}`,
    )
  }
}

function unsupportedTransact(): never {
  throw new AghanimWebhookError(
    'invalid_config',
    'transact() needs a database-backed store, and decision events do not run in a transaction.',
  )
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * A handler's context. `headers` is a getter on the class, so behind the Node adapters they are built only if
 * the handler reads them; a getter on an object literal made per request grew the process's memory under load
 * (docs/benchmarks.md, "Why the code is shaped this way").
 */
class Context<Tx> implements HandlerContext<Tx> {
  readonly #request: IncomingRequest
  readonly body: Uint8Array
  readonly game: string | null
  readonly sandbox: boolean
  readonly scope: string
  constructor(
    readonly key: string | null,
    readonly attempt: number,
    readonly transact: (work: TransactionWork<Tx>) => void,
    raw: Raw,
  ) {
    this.#request = raw.request
    this.body = raw.body
    this.game = raw.game
    this.sandbox = raw.sandbox
    this.scope = raw.scope
  }

  get headers(): Headers {
    return this.#request.headers
  }
}
