import { signedHeaders } from 'aghanim-webhooks'
import type { DeliveryFrame } from './delivery-frame.js'

/** What the local receiver made of one delivery: its answer, or why it gave none. */
export interface LocalAnswer {
  status: number | null
  body: string | null
  ms: number
  error: string | null
}

/** A mirrored copy's local receiver is given this long; a tunnelled one the server's own deadline. */
const MIRROR_TIMEOUT_MS = 30_000
/** Larger local answers are cut (the server keeps the start of each answer only). */
const MAX_ANSWER_CHARS = 1024 * 1024

/**
 * POSTs the delivery's exact body to `--forward-to`, signed with the developer's secret in Aghanim's scheme (so the
 * local app verifies it with its usual code), with the delivery id, attempt and idempotency key headers forward mode
 * sends. Never throws: a refused connection or a timeout is an answer without a status. Internal.
 *
 * @example const answer = await forwardLocally(frame, new URL('http://localhost:3000/webhook'), secret, Date.now)
 */
export async function forwardLocally(
  frame: DeliveryFrame,
  target: URL,
  secret: string,
  now: () => number,
  fetcher: typeof fetch = fetch,
): Promise<LocalAnswer> {
  const body = new TextEncoder().encode(frame.body)
  const timeoutMs = frame.timeout_ms ?? MIRROR_TIMEOUT_MS
  const started = performance.now()
  try {
    const response = await fetcher(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'aghanim-webhooks/listen',
        ...frame.headers,
        ...(await signedHeaders({ secret, timestamp: Math.floor(now() / 1000), body })),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text.slice(0, MAX_ANSWER_CHARS),
      ms: performance.now() - started,
      error: null,
    }
  } catch (error) {
    const name = (error as Error).name
    const reason =
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer from ${target.origin} within ${timeoutMs} ms`
        : `could not reach ${target.origin} (${causeOf(error)})`
    return { status: null, body: null, ms: performance.now() - started, error: reason }
  }
}

export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (error as Error).message
}
