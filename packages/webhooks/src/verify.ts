import { fromHex, timingSafeEqual } from './crypto/hex.js'
import { getDefaultEngine, type HmacEngine } from './crypto/hmac.js'
import { AghanimWebhookError } from './errors.js'
import { type HeadersLike, readHeader, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './headers.js'

/**
 * The replay window, in seconds either side of now. Aghanim documents neither its retry schedule nor whether a
 * retry is re-signed, so a short window could reject a legitimate retry and lose a paid grant. The default is
 * therefore wide (7 days back, 15 minutes ahead for clock skew): duplicates are stopped by idempotency, and
 * the window only has to outlive the idempotency records, which are kept at least this long.
 */
export interface ReplayWindow {
  pastSeconds: number
  futureSeconds: number
}

export const DEFAULT_REPLAY_WINDOW: ReplayWindow = { pastSeconds: 7 * 24 * 3600, futureSeconds: 15 * 60 }

export interface VerifyOptions {
  /** Accepted secrets; more than one during rotation (old and new). */
  secrets: string | readonly string[]
  /** Replay window; `false` turns the timestamp check off. */
  replayWindow?: Partial<ReplayWindow> | false
  /** Clock in milliseconds (injected for tests). */
  now?: () => number
  engine?: HmacEngine
}

export type VerifyResult =
  | { ok: true; timestamp: number; secretIndex: number }
  | { ok: false; error: AghanimWebhookError }

const encoder = new TextEncoder()
const DOT = encoder.encode('.')
const SIGNATURE_BYTES = 32
const TIMESTAMP_PATTERN = /^[0-9]{1,15}$/

/**
 * Verifies an Aghanim signature over the exact raw body bytes. Pure: it never parses JSON and never throws;
 * every failure is a typed `AghanimWebhookError` with a stable code. The timestamp is checked before the HMAC.
 *
 * @example
 * const result = await verify(rawBody, request.headers, { secrets: [process.env.AGHANIM_WEBHOOK_SECRET!] })
 * if (!result.ok) return Response.json(result.error.toJSON(), { status: result.error.status })
 */
export async function verify(
  body: Uint8Array,
  headers: HeadersLike,
  options: VerifyOptions,
): Promise<VerifyResult> {
  // An empty key is a valid HMAC key that anyone can sign with (a missing env var), so it fails closed.
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret.length === 0)) {
    return fail('invalid_config', 'At least one non-empty webhook secret is required.')
  }
  const signatureHeader = single(readHeader(headers, SIGNATURE_HEADER))
  const timestampHeader = single(readHeader(headers, TIMESTAMP_HEADER))
  if (signatureHeader === undefined) return fail('missing_signature')
  if (timestampHeader === undefined) return fail('missing_timestamp')
  if (signatureHeader === null)
    return fail('malformed_signature', 'The x-aghanim-signature header was sent more than once.')
  if (timestampHeader === null)
    return fail('malformed_timestamp', 'The x-aghanim-signature-timestamp header was sent more than once.')

  const timestamp = parseTimestamp(timestampHeader)
  if (timestamp === undefined)
    return fail('malformed_timestamp', `Timestamp ${describe(timestampHeader)} is not whole Unix seconds.`)
  const windowError = checkWindow(timestamp, options)
  if (windowError) return { ok: false, error: windowError }

  const received = fromHex(signatureHeader.trim(), SIGNATURE_BYTES)
  if (!received) {
    return fail(
      'malformed_signature',
      `Signature ${describe(signatureHeader)} is not 64 hexadecimal characters.`,
    )
  }
  const secretIndex = await matchingSecret(received, timestampHeader, body, secrets, options.engine)
  if (secretIndex < 0) return fail('signature_mismatch', 'Invalid signature.')
  return { ok: true, timestamp, secretIndex }
}

function single(value: string | readonly string[] | undefined): string | null | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  return value.length === 1 ? value[0] : null
}

function parseTimestamp(value: string): number | undefined {
  const trimmed = value.trim()
  return TIMESTAMP_PATTERN.test(trimmed) ? Number(trimmed) : undefined
}

function checkWindow(timestamp: number, options: VerifyOptions): AghanimWebhookError | undefined {
  if (options.replayWindow === false) return undefined
  const window = { ...DEFAULT_REPLAY_WINDOW, ...options.replayWindow }
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000)
  if (timestamp < nowSeconds - window.pastSeconds) {
    return new AghanimWebhookError(
      'timestamp_outside_window',
      `Timestamp ${timestamp} is older than ${window.pastSeconds}s.`,
    )
  }
  if (timestamp > nowSeconds + window.futureSeconds) {
    return new AghanimWebhookError(
      'timestamp_outside_window',
      `Timestamp ${timestamp} is more than ${window.futureSeconds}s in the future.`,
    )
  }
  return undefined
}

/** Checks every secret (no early exit on the first miss) and returns the index of the one that matched. */
async function matchingSecret(
  received: Uint8Array,
  timestamp: string,
  body: Uint8Array,
  secrets: readonly string[],
  engine: HmacEngine = getDefaultEngine(),
) {
  // The signed timestamp is the header value exactly as received (untrimmed), like Aghanim's sample code.
  const parts = [encoder.encode(timestamp), DOT, body]
  let matched = -1
  for (let i = 0; i < secrets.length; i++) {
    const expected = await engine.hmacSha256(secrets[i]!, parts)
    if (timingSafeEqual(expected, received) && matched < 0) matched = i
  }
  return matched
}

/** Quotes an untrusted header value for an error message: printable ASCII only, and short. */
function describe(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?')
  return JSON.stringify(printable.length > 80 ? `${printable.slice(0, 77)}...` : printable)
}

function fail(code: ConstructorParameters<typeof AghanimWebhookError>[0], message?: string): VerifyResult {
  return { ok: false, error: new AghanimWebhookError(code, message) }
}
