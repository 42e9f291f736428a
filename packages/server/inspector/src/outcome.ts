import { h } from './dom.js'
import type { SignatureCheckFailure } from './types.js'

export type Tone = 'ok' | 'warn' | 'error' | 'info'

/** The colour family of an answer: 2xx good, 4xx refused, 5xx failed (Aghanim retries those). */
export function toneOf(outcome: string, status: number): Tone {
  if (status >= 500) return 'error'
  if (status >= 400) return 'warn'
  if (outcome === 'ok') return 'ok'
  return 'info'
}

/**
 * The outcome as a badge: the code in words plus a colour, never colour alone, and a shape hint in the
 * symbol for readers who cannot tell the colours apart.
 */
export function outcomeBadge(outcome: string, status: number): HTMLElement {
  const tone = toneOf(outcome, status)
  const symbol = { ok: '✓', warn: '!', error: '✕', info: 'i' }[tone]
  return h(
    'span',
    { class: `badge badge-${tone}`, title: `${outcome} (HTTP ${status})` },
    h('span', { class: 'badge-symbol', 'aria-hidden': 'true' }, symbol),
    outcome,
  )
}

// The page cannot load the server's SIGNATURE_CHECK_FAILURES (src/api/admin-api-types.ts), so it names the
// codes again; keyed by their type, the compiler rejects this table when it misses a code or names another.
const SIGNATURE_CHECK_FAILED: Record<SignatureCheckFailure, true> = {
  missing_signature: true,
  missing_timestamp: true,
  malformed_signature: true,
  malformed_timestamp: true,
  timestamp_outside_window: true,
  signature_mismatch: true,
}

/** What to call a delivery in lists and headings: its event type, or why it has none. */
export function eventLabel(delivery: { event_type: string | null; outcome: string }): string {
  if (delivery.event_type) return delivery.event_type
  return Object.hasOwn(SIGNATURE_CHECK_FAILED, delivery.outcome) ? '(unverified)' : '(not parsed)'
}
