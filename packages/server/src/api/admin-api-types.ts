// The admin API's JSON shapes, declared once: the server's code returns them and the inspector reads them.
// Free of imports, so the inspector (compiled for the browser on its own: DOM types, no Node) can
// `import type` this file too; its tsconfig references the server project for that.

/** One row of `GET /api/deliveries` and one `delivery` event of the live stream (snake_case, ISO times). */
export interface DeliverySummaryJson {
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

/** A delivery's detail: the summary plus headers (redacted when recorded), bodies and the verification verdict. */
export interface DeliveryDetailJson extends DeliverySummaryJson {
  /** Redacted by the server before they were stored: secrets never reach the page. */
  headers: Record<string, string>
  /** The raw body as text; `body_base64` too when the bytes are not valid UTF-8. */
  body: string | null
  body_base64?: string
  response_body: string
  /** `verified: null` when the request was answered before the signature was looked at. */
  verification: { verified: boolean | null; reason: string | null }
}

/** `GET /api/deliveries/:id` → `{ delivery }`: the detail plus the other deliveries with the same idempotency key. */
export interface DeliveryWithDuplicatesJson extends DeliveryDetailJson {
  duplicates: DeliverySummaryJson[]
}

/** `GET /api/deliveries`: a page of summaries, newest first. */
export interface DeliveryPageJson {
  deliveries: DeliverySummaryJson[]
  next_cursor: string | null
}

/** `GET /api/stats/deliveries?minutes=N`: one bucket per minute (oldest first, empty minutes included). */
export interface DeliveryStatsJson {
  since: string
  until: string
  minutes: { minute: string; counts: Record<string, number> }[]
}

/** A player of the reference ledger, as `GET /api/players/:id` answers it. */
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

export interface InventoryLine {
  sku: string
  quantity: number
}

/** One grant or revoke in the ledger's history (`GET /api/players/:id/history`). */
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

/** Which ledger a player answer comes from: the game (`null`: the one unnamed game) and whether it is the sandbox's. */
export interface LedgerJson {
  game: string | null
  sandbox: boolean
}

/** `GET /api/games`: the games the server serves (none named: one unnamed game) and its sandbox policy. */
export interface GamesJson {
  games: string[]
  sandbox: 'separate' | 'accept' | 'reject'
}

/** Forward mode: one call to the backend for a delivery (`GET /api/deliveries/:id/forwards`). */
export interface ForwardAttemptJson {
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

/** Forward mode: a notification waiting in the outbox, or a dead letter (`GET /api/outbox`). */
export interface OutboxEntryJson {
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

/** `GET /api/outbox?state=pending|dead&limit=`. */
export interface OutboxPageJson {
  entries: OutboxEntryJson[]
  counts: { pending: number; dead: number; oldest_pending_at: string | null }
}

/** `aghanim-webhooks listen`: what a developer's laptop answered (`GET /api/deliveries/:id/listens`). */
export interface ListenAnswerJson {
  mode: 'mirror' | 'tunnel'
  listener: string
  target: string
  started_at: string
  duration_ms: number
  status: number | null
  error: string | null
  answer: string | null
}

export interface MissingOrder {
  order_id: string
  player_id: string
  items: unknown[]
  /** Unix seconds. */
  paid_at: number | null
  /** Unix seconds (used to tell whether an item.add tied to no order could have been this order's). */
  created_at?: number
}

export interface RevokedMissingOrder {
  order_id: string
  player_id: string
  items: unknown[]
  /** The payment's status: `refunded` or `chargeback`. */
  status: string
  /** Unix seconds: when the payment reached that status. */
  status_at: number | null
}

export interface FixedOrder {
  order_id: string
  player_id: string
  action: 'grant' | 'revoke'
  /** `granted` / `revoked` by this run; `already_…` when the webhook (or another run) got there first. */
  result: 'granted' | 'revoked' | 'already_granted' | 'already_revoked' | 'skipped' | 'failed'
  /** The webhook handler's answer to the synthetic event. */
  status: number
  message?: string
  marked_handled?: boolean
}

/** What one reconciliation found (and fixed) against the S2S API. */
export interface ReconcileResult {
  run_id: string
  game: string
  since: number
  until: number
  /** Distinct orders looked at. */
  checked: number
  missing: MissingOrder[]
  revoked_missing: RevokedMissingOrder[]
  fixed: FixedOrder[]
}

/** A run as `GET /api/reconcile/runs` lists it (`result`: the run's answer, or `{ error }`). */
export interface ReconcileRunJson {
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
  result: ReconcileResult | { error: string | null }
}

/**
 * The error codes of a signature that is missing, malformed, stale or wrong. The signature is checked before
 * the body is parsed, so such a delivery has no event type by design. (The one value here: it imports
 * nothing, so it is as safe in the page as in the server.)
 */
export const SIGNATURE_CHECK_FAILURES = [
  'missing_signature',
  'missing_timestamp',
  'malformed_signature',
  'malformed_timestamp',
  'timestamp_outside_window',
  'signature_mismatch',
] as const

export type SignatureCheckFailure = (typeof SIGNATURE_CHECK_FAILURES)[number]
