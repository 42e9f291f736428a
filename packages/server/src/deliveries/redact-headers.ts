/** Headers that carry credentials of some kind: recorded as `[redacted]`, never stored or shown. */
const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-admin-token',
  'x-auth-token',
]

/**
 * The request headers as the delivery log keeps them (a `headerRecord`, changed in place). The webhook secret
 * itself is never sent by Aghanim (only a signature derived from it, which is safe to keep and useful for
 * debugging); credentials are masked. Internal.
 *
 * @example redactHeaders({ cookie: 'a=b', 'content-type': 'application/json' }) // { cookie: '[redacted]', … }
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  for (const name of SECRET_HEADERS) if (Object.hasOwn(headers, name)) headers[name] = '[redacted]'
  return headers
}
