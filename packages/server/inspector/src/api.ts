import { readToken } from './token.js'
import type {
  DeliveryDetail,
  DeliveryPage,
  DeliveryStats,
  ForwardAttempt,
  Games,
  HistoryEntry,
  InventoryItem,
  Ledger,
  ListenAnswer,
  OutboxPage,
  Player,
  ReconcileRun,
} from './types.js'

/** A non-2xx answer of the admin API, with the server's `{ code, message }` when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** The token is missing or wrong: signing in again helps. (A 403 does not: it says why, and is shown as is.) */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401
}

/** Headers for an admin API call: the bearer token when one was entered. */
export function authHeaders(): Record<string, string> {
  const token = readToken()
  return token ? { authorization: `Bearer ${token}` } : {}
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...authHeaders(), ...init.headers },
    })
  } catch (cause) {
    throw new ApiError(0, 'network', `The server did not answer (${String(cause)}).`)
  }
  const text = await response.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!response.ok) {
    const body = (json ?? {}) as { code?: unknown; message?: unknown }
    throw new ApiError(
      response.status,
      typeof body.code === 'string' ? body.code : `http_${response.status}`,
      typeof body.message === 'string' ? body.message : `HTTP ${response.status} from ${path}`,
    )
  }
  return json as T
}

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

export type DeliveryQuery = Record<string, string | number | null | undefined>

export const api = {
  deliveries: (params: DeliveryQuery) => request<DeliveryPage>(`/api/deliveries${query(params)}`),
  delivery: (id: string) =>
    request<{ delivery: DeliveryDetail }>(`/api/deliveries/${encodeURIComponent(id)}`).then(
      (r) => r.delivery,
    ),
  replay: (id: string) =>
    request<{ delivery: DeliveryDetail }>(`/api/deliveries/${encodeURIComponent(id)}/replay`, {
      method: 'POST',
    }).then((r) => r.delivery),
  forwards: (id: string) =>
    request<{ attempts: ForwardAttempt[] }>(`/api/deliveries/${encodeURIComponent(id)}/forwards`).then(
      (r) => r.attempts,
    ),
  listens: (id: string) =>
    request<{ answers: ListenAnswer[] }>(`/api/deliveries/${encodeURIComponent(id)}/listens`).then(
      (r) => r.answers,
    ),
  outbox: (state: 'pending' | 'dead', limit = 100) =>
    request<OutboxPage>(`/api/outbox${query({ state, limit })}`),
  /** `filter` as `POST /api/outbox/redrive` takes it: `{ delivery_ids }` or `{ all_dead: true }`, … */
  redrive: (filter: Record<string, unknown>) =>
    request<{ redriven: number }>('/api/outbox/redrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(filter),
    }).then((r) => r.redriven),
  reconcileRuns: (limit = 20) =>
    request<{ games: string[]; runs: ReconcileRun[] }>(`/api/reconcile/runs${query({ limit })}`),
  stats: (minutes: number) => request<DeliveryStats>(`/api/stats/deliveries${query({ minutes })}`),
  /** `ledger`: `game=…` and `sandbox=true` as the page's address has them. */
  player: (id: string, ledger: URLSearchParams) =>
    request<{ player: Player; inventory: InventoryItem[] } & Ledger>(
      `/api/players/${encodeURIComponent(id)}${ledgerQuery(ledger)}`,
    ),
  history: (id: string, ledger: URLSearchParams) =>
    request<{ history: HistoryEntry[] }>(
      `/api/players/${encodeURIComponent(id)}/history${ledgerQuery(ledger)}`,
    ).then((r) => r.history),
  games: () => request<Games>('/api/games'),
}

function ledgerQuery(ledger: URLSearchParams): string {
  const params = new URLSearchParams()
  for (const name of ['game', 'sandbox']) {
    const value = ledger.get(name)
    if (value) params.set(name, value)
  }
  const search = params.toString()
  return search ? `?${search}` : ''
}
