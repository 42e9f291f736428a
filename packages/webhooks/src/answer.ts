import type { AghanimWebhookError } from './errors.js'

/**
 * The one outcome of a delivery: an HTTP status and the JSON body sent with it, as text. The receiver sends
 * it, a store keeps it for later duplicates (`StoredAnswer` is this type), and every error is one
 * (`errorAnswer`).
 */
export interface Answer {
  status: number
  /** The exact body bytes sent, as text (answers are JSON). */
  body: string
}

/** An answer with the headers it is sent with: what the receiver writes, before any `Response`. Internal. */
export interface WebhookAnswer extends Answer {
  headers: Record<string, string>
}

/** An error as the JSON answer every error answer is: `{ "status": "error", "code", "message" }`. */
export function errorAnswer(error: AghanimWebhookError): WebhookAnswer {
  return {
    status: error.status,
    body: JSON.stringify(error.toJSON()),
    headers: { 'content-type': 'application/json' },
  }
}

/** An answer as a web `Response`, for fetch runtimes. */
export function toResponse({ status, body, headers }: WebhookAnswer): Response {
  return new Response(body, { status, headers })
}
