/**
 * The one error catalogue. Every failure the library reports has a stable `code` (for programs and logs),
 * an HTTP `status` (what the receiver answers) and a message that names the offending value, never a secret.
 */
// biome-ignore format: a table, one error code a line
export const errorCatalogue = {
  method_not_allowed: { status: 405, summary: 'Webhooks are delivered with POST.' },
  body_too_large: { status: 413, summary: 'The request body is larger than the configured limit.' },
  incomplete_body: { status: 400, summary: 'The request body ended early (the client disconnected mid-body).' },
  missing_signature: { status: 400, summary: 'The x-aghanim-signature header is missing.' },
  missing_timestamp: { status: 400, summary: 'The x-aghanim-signature-timestamp header is missing.' },
  malformed_signature: { status: 400, summary: 'The signature is not 64 hexadecimal characters.' },
  malformed_timestamp: { status: 400, summary: 'The timestamp is not a whole number of Unix seconds.' },
  timestamp_outside_window: { status: 403, summary: 'The timestamp is outside the accepted replay window.' },
  signature_mismatch: { status: 403, summary: 'Invalid signature.' },
  game_mismatch: { status: 403, summary: "The envelope's game_id is not the game whose secret signed the delivery." },
  sandbox_not_accepted: { status: 403, summary: 'This receiver refuses sandbox deliveries (sandbox: reject).' },
  invalid_encoding: { status: 400, summary: 'The body is not valid UTF-8.' },
  invalid_json: { status: 400, summary: 'The body is not valid JSON.' },
  invalid_envelope: { status: 400, summary: 'The body is not an Aghanim event envelope.' },
  invalid_event_data: { status: 400, summary: 'event_data does not match the schema of its event type.' },
  unknown_event_type: { status: 400, summary: 'Unknown event type' },
  unhandled_event: { status: 400, summary: 'No handler is registered for this event type.' },
  declined: { status: 400, summary: 'The handler declined the event (item.add: Aghanim may refund).' },
  denied: { status: 403, summary: 'The handler denied the request (player.verify).' },
  in_progress: { status: 409, summary: 'Another attempt with the same idempotency key is still running.' },
  invalid_answer: { status: 500, summary: 'The handler returned an answer that breaks the documented schema.' },
  handler_failed: { status: 500, summary: 'The handler threw; the key was released so a retry can run.' },
  store_unavailable: { status: 503, summary: 'The idempotency store could not be reached; nothing was committed.' },
  upstream_failed: { status: 502, summary: "Forward mode: the studio's backend failed (5xx, refused or reset, answer too large); retry." },
  upstream_timeout: { status: 504, summary: "Forward mode: the studio's backend did not answer in time." },
  upstream_invalid_answer: { status: 502, summary: "Forward mode: the backend's answer breaks the event's documented answer schema." },
  raw_body_consumed: { status: 500, summary: 'A body parser read the body before the webhook handler.' },
  invalid_config: { status: 500, summary: 'The webhook receiver is misconfigured.' },
} as const satisfies Record<string, { status: number; summary: string }>

export type ErrorCode = keyof typeof errorCatalogue

/** Base error of the library: a stable `code`, the HTTP `status` it maps to, and an optional `cause`. */
export class AghanimWebhookError extends Error {
  override readonly name = 'AghanimWebhookError'
  readonly code: ErrorCode
  readonly status: number

  constructor(
    code: ErrorCode,
    message: string = errorCatalogue[code].summary,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options?.status ?? errorCatalogue[code].status
  }

  /** The JSON body every error answer carries: `{ status: "error", code, message }`. */
  toJSON(): ErrorBody {
    return { status: 'error', code: this.code, message: this.message }
  }
}

export interface ErrorBody {
  status: 'error'
  code: string
  message: string
}

export function isAghanimWebhookError(value: unknown): value is AghanimWebhookError {
  return value instanceof AghanimWebhookError
}
