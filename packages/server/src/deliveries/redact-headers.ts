/** Headers that carry credentials of some kind: recorded as `[redacted]`, never stored or shown. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-admin-token',
  'x-auth-token',
])

/**
 * The request headers as the delivery log keeps them. The webhook secret itself is never sent by Aghanim (only a
 * signature derived from it, which is safe to keep and useful for debugging); credentials are masked. Internal.
 *
 * @example redactHeaders(new Headers({ cookie: 'a=b' })) // { cookie: '[redacted]' }
 */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) ? '[redacted]' : value
  })
  return out
}
