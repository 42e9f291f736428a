import { h } from './dom.js'

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

// The signature is checked before the body is parsed, so these deliveries have no event type by design.
const UNVERIFIED = new Set([
  'missing_signature',
  'missing_timestamp',
  'malformed_signature',
  'malformed_timestamp',
  'timestamp_outside_window',
  'signature_mismatch',
])

/** What to call a delivery in lists and headings: its event type, or why it has none. */
export function eventLabel(delivery: { event_type: string | null; outcome: string }): string {
  if (delivery.event_type) return delivery.event_type
  return UNVERIFIED.has(delivery.outcome) ? '(unverified)' : '(not parsed)'
}
