import { errorOf } from '../format.js'
import { parseJson } from '../http/deliver.js'
import { exitCodes } from '../io.js'
import { parseDeliveryFrame } from './delivery-frame.js'
import { causeOf } from './forward-local.js'
import { serverSentEvents } from './sse-events.js'

export interface SessionOptions {
  server: URL
  token: string | undefined
  events: readonly string[]
  name: string
  target: URL
  /** Ends the session (Ctrl-C). */
  signal: AbortSignal
  fetch: typeof fetch
  onReady(ready: { mode: string; events: string[] }): void
  onDelivery(frame: NonNullable<ReturnType<typeof parseDeliveryFrame>>): void
}

/** How one connection ended: `retry` (the server went away, restarted, or never answered), or `fatal` with an exit code. */
export type SessionEnd =
  | { kind: 'retry'; reason: string; connected: boolean }
  | { kind: 'fatal'; code: number; message: string }
  | { kind: 'stopped' }

/** Without a heartbeat (or anything else) for this many heartbeat intervals, the connection is taken for dead. */
const MISSED_HEARTBEATS = 3
const DEFAULT_HEARTBEAT_MS = 10_000

/**
 * One connection to `GET <server>/api/listen`: the admin token in the Authorization header (never in the URL), the
 * filter in the query. Resolves when it ends: a refused token or a server without listen mode is fatal (exit 2),
 * anything else (unreachable, a restart, a proxy's 502, silence past the heartbeats) is retried by the caller. Internal.
 */
export async function listenSession(options: SessionOptions): Promise<SessionEnd> {
  const base = options.server.href.endsWith('/') ? options.server.href : `${options.server.href}/`
  const url = new URL('api/listen', base)
  if (options.events.length > 0) url.searchParams.set('events', options.events.join(','))
  url.searchParams.set('name', options.name)
  url.searchParams.set('target', options.target.href)
  const connection = new AbortController()
  const stop = () => connection.abort()
  options.signal.addEventListener('abort', stop, { once: true })
  let heartbeatMs = DEFAULT_HEARTBEAT_MS
  let watchdog: NodeJS.Timeout | undefined
  let silent = false
  const alive = () => {
    clearTimeout(watchdog)
    watchdog = setTimeout(() => {
      silent = true
      connection.abort()
    }, heartbeatMs * MISSED_HEARTBEATS)
  }
  let connected = false
  try {
    alive()
    let response: Response
    try {
      response = await options.fetch(url, {
        headers: {
          accept: 'text/event-stream',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        signal: connection.signal,
      })
    } catch (error) {
      if (options.signal.aborted) return { kind: 'stopped' }
      return {
        kind: 'retry',
        connected,
        reason: silent ? 'no answer' : `cannot reach ${options.server.origin} (${causeOf(error)})`,
      }
    }
    if (!response.ok) return await refusal(response)
    for await (const { event, data } of serverSentEvents(response.body!, alive)) {
      if (event === 'ready') {
        const ready = parseJson(data) as
          | { mode?: unknown; events?: unknown; heartbeat_ms?: unknown }
          | undefined
        if (typeof ready?.heartbeat_ms === 'number' && ready.heartbeat_ms > 0)
          heartbeatMs = ready.heartbeat_ms
        alive()
        connected = true
        options.onReady({
          mode: typeof ready?.mode === 'string' ? ready.mode : 'mirror',
          events: Array.isArray(ready?.events) ? ready.events.map(String) : [],
        })
      } else if (event === 'delivery') {
        const frame = parseDeliveryFrame(data)
        if (frame) options.onDelivery(frame)
      }
    }
    return { kind: 'retry', connected, reason: 'the server closed the connection' }
  } catch (error) {
    if (options.signal.aborted) return { kind: 'stopped' }
    return {
      kind: 'retry',
      connected,
      reason: silent
        ? `no heartbeat for ${Math.round((heartbeatMs * MISSED_HEARTBEATS) / 1000)} s`
        : `the connection dropped (${causeOf(error)})`,
    }
  } finally {
    clearTimeout(watchdog)
    options.signal.removeEventListener('abort', stop)
    connection.abort()
  }
}

async function refusal(response: Response): Promise<SessionEnd> {
  const text = await response.text().catch(() => '')
  const error = errorOf(parseJson(text))
  const detail = error ? [error.code, error.message].filter(Boolean).join(': ') : text.slice(0, 200)
  const said = `the server answered HTTP ${response.status}${detail ? ` (${detail})` : ''}`
  if (response.status === 401 || response.status === 403)
    return { kind: 'fatal', code: exitCodes.usage, message: `${said}; check --token / ADMIN_TOKEN.` }
  if (response.status === 404)
    return {
      kind: 'fatal',
      code: exitCodes.usage,
      message:
        error?.code === 'listen_off'
          ? `${said}.`
          : `${said}; is --server the base URL of an aghanim-webhooks server (without /webhook)?`,
    }
  if (response.status >= 400 && response.status < 500)
    return { kind: 'fatal', code: exitCodes.usage, message: `${said}.` }
  // A proxy's 502/503 while the server restarts behind it.
  return { kind: 'retry', connected: false, reason: said }
}
