import type { ErrorCode } from 'aghanim-webhooks'
import type { DeliveryRecord, DeliverySummary } from 'aghanim-webhooks/store'
import type { DeliveryDetailJson, DeliverySummaryJson } from '../api/admin-api-types.js'
import { SIGNATURE_CHECK_FAILURES } from '../api/admin-api-types.js'

export type { DeliveryDetailJson, DeliverySummaryJson }

// `satisfies`: each is a code of the library's error catalogue, so a renamed code fails the build here.
const SIGNATURE_FAILURES = new Set<string>([
  ...(SIGNATURE_CHECK_FAILURES satisfies readonly ErrorCode[]),
  // Signed with one game's secret, naming another: not genuine for the game it names, so never replayable.
  'game_mismatch' satisfies ErrorCode,
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
