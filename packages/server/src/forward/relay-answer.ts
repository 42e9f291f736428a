import { AghanimWebhookError, catalogue, isEventType, Reply, validateAnswer } from 'aghanim-webhooks'
import type { UpstreamAnswer } from './upstream.js'

/** How much of the backend's answer the attempt log keeps for the inspector. */
export const LOGGED_ANSWER_CHARS = 16 * 1024

/**
 * Turns the backend's answer into Aghanim's: a 2xx or 4xx is relayed (stored under the idempotency key for
 * fulfilment and notifications, so a duplicate gets it without calling the backend; not 408 and 429), a decision
 * event's 2xx only if it matches the event's documented answer; anything else throws, which releases the key.
 * Internal.
 */
export function relayAnswer(eventType: string, answer: UpstreamAnswer): Reply {
  const { status } = answer
  const json = parseJson(answer.body)
  if (status >= 200 && status < 300) {
    if (isEventType(eventType) && catalogue[eventType].kind === 'decision') {
      const checked = validateAnswer(eventType, json.ok ? json.value : undefined)
      if (!json.ok || !checked.ok) {
        const reason = json.ok ? (checked as { message: string }).message : 'the body is not JSON'
        throw new AghanimWebhookError(
          'upstream_invalid_answer',
          `The backend's ${eventType} answer is invalid: ${reason}.`,
        )
      }
      return new Reply(status, json.value, true)
    }
    return new Reply(status, json.ok ? json.value : { status: 'ok' }, true)
  }
  if (status >= 400 && status < 500) {
    const body = json.ok
      ? json.value
      : { status: 'error', code: `http_${status}`, message: textOf(answer.body).slice(0, 500) }
    // 408 and 429 ask to try again later: relayed, but the key is released so the retry reaches the backend.
    return new Reply(status, body, status !== 408 && status !== 429)
  }
  throw new AghanimWebhookError('upstream_failed', `The backend answered ${status}.`)
}

export function textOf(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
}

function parseJson(body: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: false }
  try {
    return { ok: true, value: JSON.parse(textOf(body)) }
  } catch {
    return { ok: false }
  }
}
