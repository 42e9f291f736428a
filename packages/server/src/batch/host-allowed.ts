/**
 * Whether a batch file URL's host matches one of the `BATCH_ALLOWED_HOSTS` patterns: `files.example.com`
 * (that host, any port), `*.example.com` (any subdomain, not the apex), `127.0.0.1:9000` (that host and port).
 * Nothing matches an empty list, so a fresh server downloads nothing. Internal.
 *
 * @example hostAllowed(new URL('https://b.s3.amazonaws.com/x'), ['*.amazonaws.com']) // true
 */
export function hostAllowed(url: URL, patterns: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase()
  const host = url.host.toLowerCase()
  return patterns.some((raw) => {
    const pattern = raw.trim().toLowerCase()
    const target = pattern.includes(':') && !pattern.startsWith('[') ? host : hostname
    if (pattern.startsWith('*.'))
      return target.endsWith(pattern.slice(1)) && target.length > pattern.length - 1
    return target === pattern
  })
}
