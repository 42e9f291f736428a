// The admin API's JSON shapes as the inspector reads them; the server's are the source
// (packages/server/src/deliveries/delivery-json.ts, delivery-stats.ts, ledger/ledger.ts), and
// packages/server/test/inspector-types.test-d.ts makes the type check fail when this copy drifts from them.

/** One row of `GET /api/deliveries` and one `delivery` event of the live stream. */
export interface DeliverySummary {
  id: string
  /** ISO 8601. */
  received_at: string
  event_type: string | null
  event_id: string | null
  key: string | null
  player_id: string | null
  /** `ok`, or the error code that decided the answer. */
  outcome: string
  status: number
  duration_ms: number
  attempt: number
  duplicate: boolean
  replay_of: string | null
  /** The game whose secret verified it; `null` with one unnamed game, or when not verified. */
  game: string | null
  /** A test purchase from the game's sandbox. */
  sandbox: boolean
  method: string
  path: string
}

/** `GET /api/deliveries/:id` → `{ delivery }`. */
export interface DeliveryDetail extends DeliverySummary {
  /** Redacted by the server before they were stored: secrets never reach the page. */
  headers: Record<string, string>
  /** The raw body as text; `body_base64` too when the bytes are not valid UTF-8. */
  body: string | null
  body_base64?: string
  response_body: string
  /** `verified: null` when the request was answered before the signature was looked at. */
  verification: { verified: boolean | null; reason: string | null }
  /** Other deliveries with the same idempotency key. */
  duplicates: DeliverySummary[]
}

export interface DeliveryPage {
  deliveries: DeliverySummary[]
  next_cursor: string | null
}

/** One minute of `GET /api/stats/deliveries?minutes=N`: counts by outcome. */
export interface MinuteCounts {
  /** ISO 8601 start of the minute (the chart also takes epoch milliseconds). */
  minute: string | number
  counts: Record<string, number>
}

export interface DeliveryStats {
  since: string
  until: string
  /** Oldest first, empty minutes included. */
  minutes: MinuteCounts[]
}

export interface Player {
  player_id: string
  name: string
  attributes: Record<string, unknown>
  banned: boolean
  email: string | null
  avatar_url: string | null
  country: string | null
  segments: string[]
  custom_attributes: Record<string, unknown>
  created_at: string
  updated_at: string
}

export interface InventoryItem {
  sku: string
  quantity: number
}

/** One grant or revoke in the ledger's history. */
export interface HistoryEntry {
  id: number
  kind: 'grant' | 'revoke'
  sku: string
  /** Quantity the event asked for. */
  quantity: number
  /** Quantity actually added or removed (a revoke clamps at zero). */
  applied: number
  /** For a revoke: what could not be removed because the inventory was short. */
  shortfall: number
  key: string | null
  event_id: string | null
  event_type: string | null
  reason: string | null
  created_at: string
}

/** Forward mode: one call to the backend for a delivery (`GET /api/deliveries/:id/forwards`). */
export interface ForwardAttempt {
  via: 'sync' | 'outbox'
  attempt: number
  route: string
  url: string
  started_at: string
  duration_ms: number
  status: number | null
  error: string | null
  answer: string | null
}

/** `aghanim-webhooks listen`: what a developer's laptop answered (`GET /api/deliveries/:id/listens`). */
export interface ListenAnswer {
  mode: 'mirror' | 'tunnel'
  listener: string
  target: string
  started_at: string
  duration_ms: number
  status: number | null
  error: string | null
  answer: string | null
}

/** Forward mode: a notification waiting in the outbox, or a dead letter (`GET /api/outbox`). */
export interface OutboxEntry {
  delivery_id: string
  event_type: string
  event_id: string
  key: string
  player_id: string | null
  received_at: string
  state: 'pending' | 'dead'
  attempts: number
  next_at: string | null
  dead_at: string | null
  last_status: number | null
  last_error: string | null
  last_answer: string | null
}

export interface OutboxPage {
  entries: OutboxEntry[]
  counts: { pending: number; dead: number; oldest_pending_at: string | null }
}

/** Which ledger a player answer comes from: the game (`null`: the one unnamed game) and whether it is the sandbox's. */
export interface Ledger {
  game: string | null
  sandbox: boolean
}

/** `GET /api/games`: the games the server serves (none named: one unnamed game) and its sandbox policy. */
export interface Games {
  games: string[]
  sandbox: 'separate' | 'accept' | 'reject'
}

/** One reconciliation against the S2S API (`GET /api/reconcile/runs`). */
export interface ReconcileRun {
  id: string
  game: string
  trigger: 'schedule' | 'api'
  started_at: string
  finished_at: string
  /** The window, Unix seconds. */
  since: number
  until: number
  fix: boolean
  checked: number
  missing: number
  revoked_missing: number
  fixed: number
  error: string | null
  result: ReconcileFindings | { error: string | null }
}

export interface ReconcileFindings {
  run_id: string
  game: string
  since: number
  until: number
  checked: number
  missing: {
    order_id: string
    player_id: string
    items: unknown[]
    paid_at: number | null
    created_at?: number
  }[]
  revoked_missing: {
    order_id: string
    player_id: string
    items: unknown[]
    status: string
    status_at: number | null
  }[]
  fixed: {
    order_id: string
    player_id: string
    action: 'grant' | 'revoke'
    result: 'granted' | 'revoked' | 'already_granted' | 'already_revoked' | 'skipped' | 'failed'
    status: number
    message?: string
    marked_handled?: boolean
  }[]
}
