/**
 * How the server puts a delivery of its own making (a replay, a reconciliation's synthetic event) through its
 * own webhook handler: signed with a game's secret and POSTed to the webhook path, so it meets verification,
 * idempotency and the ledger exactly as Aghanim's deliveries do. Internal.
 */
export interface OwnWebhook {
  /** The server's webhook handler. */
  handle: (request: Request) => Promise<Response>
  webhookPath: string
  /** The current secret of a game (`null`: the one unnamed game, or the first in a rotation). */
  secret: (game: string | null) => string
}
