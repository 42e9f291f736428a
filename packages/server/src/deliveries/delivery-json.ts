import type { DeliveryRecord, DeliverySummary } from 'aghanim-webhooks/store'

/** One row of `GET /api/deliveries` and one `delivery` event of the live stream (snake_case, ISO times). */
export interface DeliverySummaryJson {
  id: string
  received_at: string
  event_type: string | null
  event_id: string | null
  key: string | null
  player_id: string | null
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

/** `GET /api/deliveries/:id`: the summary plus headers (redacted when recorded), bodies and the verification verdict. */
export interface DeliveryDetailJson extends DeliverySummaryJson {
  headers: Record<string, string>
  /** The raw body as text; `body_base64` too when the bytes are not valid UTF-8. */
  body: string | null
  body_base64?: string
  response_body: string
  verification: { verified: boolean | null; reason: string | null }
}

const SIGNATURE_FAILURES = new Set([
  'missing_signature',
  'missing_timestamp',
  'malformed_signature',
  'malformed_timestamp',
  'timestamp_outside_window',
  'signature_mismatch',
  // Signed with one game's secret, naming another: not genuine for the game it names, so never replayable.
  'game_mismatch',
])
// Answered before the signature was looked at.
const NOT_VERIFIED = new Set(['method_not_allowed', 'body_too_large'])

export function summaryJson(record: DeliverySummary): DeliverySummaryJson {
  return {
    id: record.id,
    received_at: new Date(record.receivedAt).toISOString(),
    event_type: record.eventType,
    event_id: record.eventId,
    key: record.key,
    player_id: record.playerId,
    outcome: record.outcome,
    status: record.status,
    duration_ms: Math.round(record.durationMs * 100) / 100,
    attempt: record.attempt,
    duplicate: record.duplicate,
    replay_of: record.replayOf,
    game: record.game,
    sandbox: record.sandbox,
    method: record.method,
    path: record.path,
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export function detailJson(record: DeliveryRecord): DeliveryDetailJson {
  let body: string | null = null
  let bodyBase64: string | undefined
  if (record.body) {
    try {
      body = strictUtf8.decode(record.body)
    } catch {
      body = new TextDecoder().decode(record.body)
      bodyBase64 = Buffer.from(record.body).toString('base64')
    }
  }
  return {
    ...summaryJson(record),
    headers: record.headers,
    body,
    ...(bodyBase64 === undefined ? {} : { body_base64: bodyBase64 }),
    response_body: record.responseBody,
    verification: verificationOf(record.outcome),
  }
}

/** Whether the signature was checked and held, and if not, the error code that says why. */
export function verificationOf(outcome: string): DeliveryDetailJson['verification'] {
  if (NOT_VERIFIED.has(outcome)) return { verified: null, reason: `not checked: ${outcome}` }
  if (SIGNATURE_FAILURES.has(outcome)) return { verified: false, reason: outcome }
  return { verified: true, reason: null }
}
