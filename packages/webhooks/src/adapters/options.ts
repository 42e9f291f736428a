import type { AghanimWebhookError } from '../errors.js'
import type { WebhookHandlerOptions } from '../handler.js'

/** Options of every adapter's `aghanimWebhooks()`: the handler's options plus how to report a misconfiguration. */
export interface AghanimWebhooksOptions<Tx = unknown> extends WebhookHandlerOptions<Tx> {
  /**
   * Called once (not per request) when something read the body before the webhook handler, with a
   * `raw_body_consumed` error whose message names the fix. Each such request is still answered 500.
   * Default: the framework's logger (Fastify), else `process.emitWarning`, else `reportError`.
   */
  onMisconfiguration?: (error: AghanimWebhookError) => void
}
