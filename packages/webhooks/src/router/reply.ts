import type { ErrorBody } from '../errors.js'

/** An explicit HTTP answer a handler can return instead of the event's usual answer. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    /** Final answers are stored with the idempotency key and repeated to duplicates: 2xx and declines. */
    readonly final: boolean = status >= 200 && status < 300,
  ) {}
}

/**
 * Any status and JSON body, for answers the catalogue does not cover.
 *
 * @example router.on('campaign.custom', () => reply(202, { status: 'ok' }))
 */
export function reply(status: number, body: unknown): Reply {
  return new Reply(status, body)
}

/**
 * Declines an `item.add`: answers 400 `{ status: "error", code: "declined", message }`, which makes Aghanim
 * refund the payment automatically when the integration team has enabled auto-refunds. The decision is stored
 * with the idempotency key, so a retry of the same delivery gets the same answer.
 *
 * @example router.on('item.add', (event) => (soldOut(event) ? decline('Out of stock') : undefined))
 */
export function decline(message: string): Reply {
  return new Reply(400, { status: 'error', code: 'declined', message } satisfies ErrorBody, true)
}

/**
 * Denies a `player.verify` (unknown or banned player) with the flat error body Aghanim accepts.
 *
 * @example router.on('player.verify', (e) => deny('Player not found', { status: 404, code: 'not_found' }))
 */
export function deny(message: string, options: { status?: number; code?: string } = {}): Reply {
  const status = options.status ?? 403
  return new Reply(status, { status: 'error', code: options.code ?? 'denied', message } satisfies ErrorBody)
}
