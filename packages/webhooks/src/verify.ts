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
  return verifyWith(body, (name) => readHeader(headers, name), prepareVerify({ ...options, secrets }))
}

/** `verify`'s options made ready once, for a receiver that checks every request against the same ones. */
export interface PreparedVerify {
  /** Non-empty strings (checked by the caller). */
  secrets: readonly string[]
  window: ReplayWindow | undefined
  now: () => number
  engine: HmacEngine | undefined
}

/** Internal: resolves `options` once; `secrets` must already be checked. */
export function prepareVerify(options: VerifyOptions & { secrets: readonly string[] }): PreparedVerify {
  return {
    secrets: options.secrets,
    window:
      options.replayWindow === false ? undefined : { ...DEFAULT_REPLAY_WINDOW, ...options.replayWindow },
    now: options.now ?? Date.now,
    engine: options.engine,
  }
}

/**
 * `verify` with prepared options and a header reader. Synchronous when the HMAC engine is (node:crypto), so a
 * receiver does not wait a turn of the event loop for an answer it already has. Internal.
 */
export function verifyWith(
  body: Uint8Array,
  header: (name: string) => string | readonly string[] | undefined,
  prepared: PreparedVerify,
): VerifyResult | Promise<VerifyResult> {
  const signatureHeader = single(header(SIGNATURE_HEADER))
  const timestampHeader = single(header(TIMESTAMP_HEADER))
  if (signatureHeader === undefined) return fail('missing_signature')
  if (timestampHeader === undefined) return fail('missing_timestamp')
  if (signatureHeader === null)
    return fail('malformed_signature', 'The x-aghanim-signature header was sent more than once.')
  if (timestampHeader === null)
    return fail('malformed_timestamp', 'The x-aghanim-signature-timestamp header was sent more than once.')

  const timestamp = parseTimestamp(timestampHeader)
  if (timestamp === undefined)
    return fail('malformed_timestamp', `Timestamp ${describe(timestampHeader)} is not whole Unix seconds.`)
  const windowError = checkWindow(timestamp, prepared)
  if (windowError) return { ok: false, error: windowError }

  const received = fromHex(signatureHeader.trim(), SIGNATURE_BYTES)
  if (!received) {
    return fail(
      'malformed_signature',
      `Signature ${describe(signatureHeader)} is not 64 hexadecimal characters.`,
    )
  }
  const verdict = (secretIndex: number): VerifyResult =>
    secretIndex < 0
      ? { ok: false, error: new AghanimWebhookError('signature_mismatch', 'Invalid signature.') }
      : { ok: true, timestamp, secretIndex }
  const secretIndex = matchingSecret(received, timestampHeader, body, prepared)
  return typeof secretIndex === 'number' ? verdict(secretIndex) : secretIndex.then(verdict)
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

function checkWindow(timestamp: number, { window, now }: PreparedVerify): AghanimWebhookError | undefined {
  if (!window) return undefined
  const nowSeconds = Math.floor(now() / 1000)
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

/**
 * Checks every secret (no early exit on the first miss) and returns the index of the one that matched;
 * a promise of it only when the engine answers with promises.
 */
function matchingSecret(
  received: Uint8Array,
  timestamp: string,
  body: Uint8Array,
  { secrets, engine = getDefaultEngine() }: PreparedVerify,
): number | Promise<number> {
  // The signed timestamp is the header value exactly as received (untrimmed), like Aghanim's sample code.
  const parts = [utf8(timestamp), DOT, body]
  let matched = -1
  for (let i = 0; i < secrets.length; i++) {
    const expected = engine.hmacSha256(secrets[i]!, parts)
    if (expected instanceof Uint8Array) {
      if (timingSafeEqual(expected, received) && matched < 0) matched = i
    } else {
      return matchingSecretAsync(received, parts, secrets, engine, i, expected, matched)
    }
  }
  return matched
}

async function matchingSecretAsync(
  received: Uint8Array,
  parts: readonly Uint8Array[],
  secrets: readonly string[],
  engine: HmacEngine,
  from: number,
  pending: Promise<Uint8Array>,
  matchedBefore: number,
): Promise<number> {
  let matched = matchedBefore
  for (let i = from; i < secrets.length; i++) {
    const expected = await (i === from ? pending : engine.hmacSha256(secrets[i]!, parts))
    if (timingSafeEqual(expected, received) && matched < 0) matched = i
  }
  return matched
}

/** UTF-8 bytes of a header value; by hand for ASCII, which a timestamp is (TextEncoder costs a native call). */
function utf8(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 127) return encoder.encode(text)
    bytes[i] = code
  }
  return bytes
}

/** Quotes an untrusted header value for an error message: printable ASCII only, and short. */
function describe(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?')
  return JSON.stringify(printable.length > 80 ? `${printable.slice(0, 77)}...` : printable)
}

function fail(code: ConstructorParameters<typeof AghanimWebhookError>[0], message?: string): VerifyResult {
  return { ok: false, error: new AghanimWebhookError(code, message) }
}
