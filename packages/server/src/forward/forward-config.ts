import { ConfigError } from '../config/config-error.js'

/** One `--forward-to` route: the first whose pattern matches the event type wins. */
export interface ForwardRoute {
  /** `*`, a subscription pattern (`item.*`) or an exact event type. */
  pattern: string
  url: string
}

/** Forward mode (`--forward-to`): where verified deliveries go, how they are signed and how long to wait. */
export interface ForwardConfig {
  routes: ForwardRoute[]
  /** Where sandbox deliveries go (`--forward-sandbox-to`); empty: to `routes`, like live ones. */
  sandboxRoutes: ForwardRoute[]
  /** Secrets the backend verifies with; the first signs (the others are accepted by the backend during rotation). */
  secrets: string[]
  timeoutMs: number
  /** `notifications`: notification events go through the durable outbox and are answered once stored. */
  async: boolean
  /** Delays before each retry of an outbox entry (ms); after the last one it becomes a dead letter. */
  retrySchedule: number[]
  /** Answers larger than this are treated as a failure of the backend (502), like the request limit. */
  maxAnswerBytes: number
}

export interface ForwardInputs {
  /** One route per `--forward-to`, or `FORWARD_TO` as given (routes separated by spaces or commas). */
  to: readonly string[] | string | undefined
  /** `--forward-sandbox-to`, in the same form as `to`. */
  sandboxTo?: readonly string[] | string | undefined
  secret: string | undefined
  timeoutMs: string | undefined
  async: string | undefined
  retrySchedule: string | undefined
  maxAnswerBytes: number
}

/** Roughly doubling from 1 s to 1 h: 12 retries, whose delays add up to 1 h 49 min before a dead letter. */
export const DEFAULT_RETRY_SCHEDULE = '1s,2s,4s,8s,15s,30s,1m,2m,5m,10m,30m,1h'

/** Resolves forward mode from its flags and variables; `undefined` when `--forward-to` is not set. Internal. */
export function resolveForwardConfig(inputs: ForwardInputs): ForwardConfig | undefined {
  const routes = routeList(inputs.to)
  const sandboxRoutes = routeList(inputs.sandboxTo)
  const secrets = (inputs.secret ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
  if (routes.length === 0) {
    if (secrets.length > 0 || inputs.async !== undefined || sandboxRoutes.length > 0)
      throw new ConfigError(
        '--forward-secret, --forward-async and --forward-sandbox-to need --forward-to (FORWARD_TO).',
      )
    return undefined
  }
  if (secrets.length === 0) {
    throw new ConfigError(
      '--forward-to needs --forward-secret (FORWARD_SECRET): the secret your backend verifies forwarded deliveries with.',
    )
  }
  return {
    routes,
    sandboxRoutes,
    secrets,
    timeoutMs: timeout(inputs.timeoutMs ?? '10000'),
    async: asyncMode(inputs.async),
    retrySchedule: parseSchedule(inputs.retrySchedule ?? DEFAULT_RETRY_SCHEDULE),
    maxAnswerBytes: inputs.maxAnswerBytes,
  }
}

function routeList(value: readonly string[] | string | undefined): ForwardRoute[] {
  return (typeof value === 'string' ? splitRoutes(value) : (value ?? [])).map(parseRoute)
}

function splitRoutes(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

function parseRoute(value: string): ForwardRoute {
  const equals = value.indexOf('=')
  const schemeAt = value.indexOf('://')
  const hasPattern = equals > 0 && (schemeAt === -1 || equals < schemeAt)
  const pattern = hasPattern ? value.slice(0, equals) : '*'
  const url = hasPattern ? value.slice(equals + 1) : value
  if (!/^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/.test(pattern)) {
    throw new ConfigError(
      `--forward-to pattern ${JSON.stringify(pattern)} must be *, an event type (item.add) or a family (item.*).`,
    )
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`--forward-to ${JSON.stringify(url)} is not a URL (http://backend:8080/aghanim).`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ConfigError(`--forward-to ${JSON.stringify(url)} must be an http:// or https:// URL.`)
  if (parsed.username || parsed.password)
    throw new ConfigError('--forward-to URLs must not carry credentials; the forward secret signs each call.')
  return { pattern, url: parsed.href }
}

/**
 * Below the idempotency lease (60 s) with room to spare: a call still waiting for the backend when its key's
 * lease expired would let a retry take the key over and call the backend a second time.
 */
const MAX_TIMEOUT_MS = 50_000

function timeout(value: string): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number) || number < 1 || number > MAX_TIMEOUT_MS)
    throw new ConfigError(
      `FORWARD_TIMEOUT_MS must be a whole number between 1 and ${MAX_TIMEOUT_MS} (under the 60 s idempotency lease), got ${JSON.stringify(value)}.`,
    )
  return number
}

function asyncMode(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'none') return false
  if (value === 'notifications') return true
  throw new ConfigError(`--forward-async must be notifications (or none), got ${JSON.stringify(value)}.`)
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `1s,5s,1m`: the delay before each retry; a bare number is milliseconds. */
export function parseSchedule(value: string): number[] {
  const delays = value.split(',').map((part) => {
    const match = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(part)
    const delay = match ? Number(match[1]) * UNITS[match[2] ?? 'ms']! : Number.NaN
    if (!Number.isSafeInteger(delay) || delay > 7 * 86_400_000)
      throw new ConfigError(
        `FORWARD_RETRY_SCHEDULE must list delays such as 1s,30s,5m,1h (each up to 7 days), got ${JSON.stringify(value)}.`,
      )
    return delay
  })
  return delays
}
