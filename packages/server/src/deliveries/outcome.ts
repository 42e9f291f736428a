import { errorCatalogue } from 'aghanim-webhooks'

const CODE = /^[a-z][a-z0-9_]{0,39}$/

/**
 * The outcome a delivery is logged and counted under. The core reports `ok` whenever the handler returned,
 * including a `decline()` or a `deny()`; those are recorded under their answer's code (`declined`, `not_found`,
 * `banned`, …) so the inspector and metrics show a refused grant as refused. Internal.
 */
export function deliveryOutcome(coreOutcome: string, status: number, responseBody: string): string {
  if (coreOutcome !== 'ok' || status < 400) return coreOutcome
  try {
    const code = (JSON.parse(responseBody) as { code?: unknown } | null)?.code
    if (typeof code === 'string' && CODE.test(code)) return code
  } catch {
    // A handler's custom non-JSON answer: fall through to the status.
  }
  return `http_${status}`
}

const KNOWN = new Set<string>([
  ...Object.keys(errorCatalogue),
  'not_found',
  'banned',
  'unknown_event_acknowledged',
])

/** Metric label values must stay few: codes a studio's handler invents are counted as `other`. */
export function metricReason(outcome: string): string {
  return outcome === 'ok' || KNOWN.has(outcome) || /^http_\d{3}$/.test(outcome) ? outcome : 'other'
}
