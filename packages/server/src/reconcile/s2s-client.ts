/** What reconciliation reads of a `PaymentRead` (the API sends many more fields). */
export interface Payment {
  payment_id?: string | null
  order_id?: string | null
  user_id: string
  player_id?: string | null
  status: string
  items?: unknown[] | null
  created_at: number
  status_updated_at?: number | null
}

/** What reconciliation reads of an `OrderRead`. */
export interface Order {
  id: string
  player_id: string
  status: string
  items: unknown[]
  paid_at?: number | null
  created_at: number
}

export interface PaymentQuery {
  /** Comma-separated `PaymentStatus` values. */
  status: string
  /** Unix seconds; the API needs both ends when it gets one. */
  startAt: number
  endAt: number
  field: 'created_at' | 'modified_at' | 'status_updated_at'
  limit: number
  offset: number
}

export interface S2sClientOptions {
  /** `AGHANIM_API_URL`, e.g. https://api.aghanim.com/s2s */
  baseUrl: string
  /** The game's S2S API key (sent as a bearer token, never logged). */
  apiKey: string
  fetch?: typeof globalThis.fetch
  sleep?: (ms: number) => Promise<void>
  /**
   * Requests per minute this client spaces its calls to. Aghanim allows 1,000 a minute per game; the default
   * leaves room for the game's own S2S calls.
   */
  perMinute?: number
  /** Attempts per request when the API answers 429 or 5xx or cannot be reached (default 6). */
  maxAttempts?: number
  /** First backoff pause; it doubles per attempt up to 30 s (a 429's Retry-After wins). */
  backoffMs?: number
  timeoutMs?: number
  now?: () => number
  /** Called before each pause, so a long run can say why it waits. */
  onRetry?: (info: { status: number | null; attempt: number; waitMs: number }) => void
}

/** A call the S2S API refused for good, or kept failing after the retries. `code` is stable. */
export class S2sError extends Error {
  override readonly name = 'S2sError'
  constructor(
    readonly code: 's2s_unauthorized' | 's2s_rejected' | 's2s_unavailable',
    message: string,
    readonly status: number | null,
  ) {
    super(message)
  }
}

export interface S2sClient {
  listPayments(query: PaymentQuery): Promise<Payment[]>
  /** The order, or undefined when the API does not know it (404). */
  getOrder(orderId: string): Promise<Order | undefined>
  /** `PATCH /v1/orders/{id}` with `handled_by_client: true`. */
  markHandled(orderId: string): Promise<void>
}

const MAX_BACKOFF_MS = 30_000

/**
 * A small client of Aghanim's S2S API, made for reconciliation: bearer auth, calls spaced to the rate limit,
 * and retries with backoff on 429 (honouring Retry-After), 5xx and network failures. Other answers are final.
 *
 * @example const s2s = createS2sClient({ baseUrl: 'https://api.aghanim.com/s2s', apiKey })
 * const page = await s2s.listPayments({ status: 'done', startAt, endAt, field: 'status_updated_at', limit: 100, offset: 0 })
 */
export function createS2sClient(options: S2sClientOptions): S2sClient {
  const fetchFn = options.fetch ?? globalThis.fetch
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const now = options.now ?? Date.now
  const spacingMs = 60_000 / (options.perMinute ?? 600)
  const maxAttempts = options.maxAttempts ?? 6
  const backoffMs = options.backoffMs ?? 1000
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`
  let nextAt = 0

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    const url = new URL(path, base)
    for (let attempt = 1; ; attempt++) {
      const wait = nextAt - now()
      if (wait > 0) await sleep(wait)
      nextAt = Math.max(now(), nextAt) + spacingMs
      let response: Response | undefined
      let failure: string | undefined
      try {
        response = await fetchFn(url, {
          method,
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            accept: 'application/json',
            'user-agent': 'aghanim-webhooks/reconcile',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        })
      } catch (error) {
        failure = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name
      }
      const status = response?.status ?? null
      const retryable = response === undefined || status === 429 || status! >= 500
      if (!retryable) return response!
      await response?.arrayBuffer().catch(() => {})
      if (attempt >= maxAttempts) {
        throw new S2sError(
          's2s_unavailable',
          `The S2S API ${describe(method, url)} kept failing (${failure ?? `HTTP ${status}`}) after ${attempt} attempts.`,
          status,
        )
      }
      const retryAfter =
        status === 429 ? retryAfterMs(response!.headers.get('retry-after'), now()) : undefined
      const waitMs = retryAfter ?? Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS)
      options.onRetry?.({ status, attempt, waitMs })
      await sleep(waitMs)
    }
  }

  async function json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await call(method, path, body)
    const text = await response.text()
    if (response.ok) {
      try {
        return JSON.parse(text)
      } catch {
        throw new S2sError('s2s_rejected', `The S2S API answered ${path} with something not JSON.`, 200)
      }
    }
    if (response.status === 401 || response.status === 403)
      throw new S2sError(
        's2s_unauthorized',
        `The S2S API refused the API key (HTTP ${response.status}): check AGHANIM_API_KEY / AGHANIM_GAME_API_KEYS (the game's S2S key, not its webhook secret).`,
        response.status,
      )
    throw new S2sError(
      's2s_rejected',
      `The S2S API answered ${describe(method, new URL(path, base))} with HTTP ${response.status}: ${detailOf(text)}`,
      response.status,
    )
  }

  return {
    async listPayments(query) {
      const params = new URLSearchParams({
        status: query.status,
        start_at: String(query.startAt),
        end_at: String(query.endAt),
        field: query.field,
        limit: String(query.limit),
        offset: String(query.offset),
      })
      const page = await json('GET', `v1/payments?${params}`)
      if (!Array.isArray(page))
        throw new S2sError(
          's2s_rejected',
          'The S2S API answered /v1/payments with something not a list.',
          200,
        )
      return page as Payment[]
    },
    async getOrder(orderId) {
      try {
        return (await json('GET', `v1/orders/${encodeURIComponent(orderId)}`)) as Order
      } catch (error) {
        if (error instanceof S2sError && error.status === 404) return undefined
        throw error
      }
    },
    async markHandled(orderId) {
      await json('PATCH', `v1/orders/${encodeURIComponent(orderId)}`, { handled_by_client: true })
    },
  }
}

function describe(method: string, url: URL): string {
  return `${method} ${url.pathname}`
}

/** FastAPI's `{ detail: [{ msg }] }`, else the start of the body. */
function detailOf(text: string): string {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail
    if (Array.isArray(detail))
      return detail.map((entry) => String((entry as { msg?: unknown }).msg ?? '')).join('; ')
    if (typeof detail === 'string') return detail
  } catch {}
  return text.slice(0, 200)
}

function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  if (/^\s*\d+\s*$/.test(value)) return Math.min(Number(value) * 1000, MAX_BACKOFF_MS * 4)
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.min(Math.max(0, at - now), MAX_BACKOFF_MS * 4) : undefined
}
