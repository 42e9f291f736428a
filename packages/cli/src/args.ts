import { UsageError } from './io.js'

/** A whole number option within bounds, e.g. `--repeat 3`. */
export function integerOption(value: string, name: string, min: number, max?: number): number
export function integerOption(
  value: string | undefined,
  name: string,
  min: number,
  max?: number,
): number | undefined
export function integerOption(
  value: string | undefined,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value.trim()))
    throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}.`)
  const number = Number(value)
  if (number < min || number > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${number}.`)
  return number
}

/** `--secret`, which `secretOption` also reads from AGHANIM_WEBHOOK_SECRET. */
export function requireSecret(secret: string | undefined): string {
  if (!secret)
    throw new UsageError('A webhook secret is required: pass --secret or set AGHANIM_WEBHOOK_SECRET.')
  return secret
}

/** An absolute http(s) URL, or a usage error that shows what was given. `what` names it: `--url`, `URL`. */
export function requireUrl(value: string | undefined, what: string): URL {
  if (!value)
    throw new UsageError(
      `${what} is required, e.g. ${what.startsWith('--') ? `${what} ` : ''}http://localhost:8000/webhook`,
    )
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(
      `${what} must be an absolute URL such as http://localhost:8000/webhook, got ${JSON.stringify(value)}.`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} must use http or https, got ${url.protocol.replace(':', '')}.`)
  }
  return url
}

/**
 * A signature timestamp: Unix seconds, kept as typed (leading zeros and all) because that literal text is
 * what gets signed. Defaults to now.
 */
export function timestampOption(value: string | undefined, now: () => number): string {
  if (value === undefined) return String(Math.floor(now() / 1000))
  if (!/^\d{1,15}$/.test(value))
    throw new UsageError(`--timestamp must be Unix seconds (digits only), got ${JSON.stringify(value)}.`)
  return value
}
