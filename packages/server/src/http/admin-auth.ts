import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { HttpError } from '../errors/server-errors.js'

/**
 * Who may use `/api/`: with a token, requests carrying `Authorization: Bearer <token>` (compared in constant
 * time); without one, in development only, clients on a loopback address that did not come through a proxy.
 * In production there is no token-less access at all: a reverse proxy on the same host that adds no
 * forwarding header (nginx's plain `proxy_pass`) would make every visitor look local. Throws a 401/403
 * `HttpError`. Internal.
 */
export function authorizeAdmin(
  req: IncomingMessage,
  token: string | undefined,
  { production }: { production: boolean },
): void {
  if (token === undefined) {
    if (production)
      throw new HttpError(
        'admin_disabled',
        'The admin API is off: with NODE_ENV=production it needs ADMIN_TOKEN (or --admin-token).',
      )
    if (isLoopback(req.socket.remoteAddress) && !req.headers['x-forwarded-for'] && !req.headers.forwarded)
      return
    throw new HttpError('forbidden', 'The admin API answers only loopback clients until ADMIN_TOKEN is set.')
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')
  if (!match || !sameSecret(match[1]!, token)) {
    throw new HttpError('unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.', {
      headers: { 'www-authenticate': 'Bearer realm="aghanim-webhooks"' },
    })
  }
}

// Hashing first gives equal-length inputs, so neither the token nor its length leaks through timing.
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.') || address === '::1'
}
