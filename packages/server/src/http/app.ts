import type { IncomingMessage, ServerResponse } from 'node:http'
import { isDatabaseUnavailable } from '../database/database-errors.js'
import { HttpError } from '../errors/server-errors.js'
import type { Logger } from '../logging/logger.js'
import type { AdminApiDeps } from './admin-api.js'
import { handleAdminApi } from './admin-routes.js'
import type { RequestsInFlight } from './requests-in-flight.js'
import { sendError, sendJson } from './respond.js'
import { serveStatic } from './static-files.js'

export interface AppDeps {
  webhookPath: string
  /** The webhook receiver (the library's node adapter): settles once the delivery is handled and answered. */
  webhook: (req: IncomingMessage, res: ServerResponse) => Promise<void>
  admin: AdminApiDeps
  /** Resolves when the database answers; rejects otherwise (it logs an outage itself, once). */
  ready: () => Promise<void>
  /** Reports a request's failure that may be the database's (an outage is answered 503, not 500). */
  databaseFailed: (error: unknown) => void
  metrics: () => Promise<string>
  inspectorRoot: string
  logger: Logger
  /** True once shutdown began: answers ask clients to close their connection. */
  closing: () => boolean
  /** Where each request is counted until it is handled (shutdown waits for them). */
  requests: RequestsInFlight
}

const READY_TIMEOUT_MS = 2000
const unavailable = () =>
  new HttpError('database_unavailable', 'The database does not answer; retry later.', {
    headers: { 'retry-after': '5' },
  })

/**
 * Routes one request: the webhook path, health and readiness, metrics, the admin API and the inspector's files.
 * Anything else is a JSON 404 (or 405 for a known path with the wrong method); an unexpected failure is logged
 * and answered 500 without details. Internal.
 */
export function createApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (deps.closing()) res.setHeader('connection', 'close')
    const handled = route(req, res, deps).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close')
        if (!res.headersSent) sendError(req, res, error)
        else res.destroy()
        return
      }
      if (isDatabaseUnavailable(error)) {
        deps.databaseFailed(error)
        if (!res.headersSent) sendError(req, res, unavailable())
        else res.destroy()
        return
      }
      deps.logger.error({ err: error, method: req.method, path: pathOf(req) }, 'request failed')
      if (!res.headersSent)
        sendError(req, res, new HttpError('internal_error', 'The server failed to answer; see its log.'))
      else res.destroy()
    })
    deps.requests.track(handled)
  }
}

async function route(req: IncomingMessage, res: ServerResponse, deps: AppDeps): Promise<void> {
  // Nearly every request is a webhook: no URL object for the path it is sent to verbatim.
  if (isWebhookTarget(req.url, deps.webhookPath)) return deps.webhook(req, res)
  const url = parseUrl(req)
  const path = url.pathname
  if (path === deps.webhookPath) return deps.webhook(req, res)
  if (path === '/api' || path.startsWith('/api/')) return handleAdminApi(req, res, url, deps.admin)
  if (path === '/inspector') {
    allow(req, ['GET', 'HEAD'])
    res.writeHead(308, { location: `/inspector/${url.search}` }).end()
    return
  }
  if (path.startsWith('/inspector/')) {
    allow(req, ['GET', 'HEAD'])
    return serveStatic(req, res, deps.inspectorRoot, path.slice('/inspector/'.length))
  }
  switch (path) {
    case '/healthz':
      allow(req, ['GET', 'HEAD'])
      return sendJson(req, res, 200, { status: 'ok' })
    case '/readyz':
      allow(req, ['GET', 'HEAD'])
      return readiness(req, res, deps)
    case '/metrics': {
      allow(req, ['GET', 'HEAD'])
      const text = await deps.metrics()
      res.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
      })
      res.end(req.method === 'HEAD' ? undefined : text)
      return
    }
    case '/':
      allow(req, ['GET', 'HEAD'])
      return sendJson(req, res, 200, {
        status: 'ok',
        service: 'aghanim-webhooks',
        webhook: deps.webhookPath,
        inspector: '/inspector/',
        health: '/healthz',
        ready: '/readyz',
        metrics: '/metrics',
      })
  }
  throw new HttpError('not_found', `Nothing at ${path}; webhooks go to POST ${deps.webhookPath}.`)
}

async function readiness(req: IncomingMessage, res: ServerResponse, deps: AppDeps): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      deps.ready(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS)
      }),
    ])
    sendJson(req, res, 200, { status: 'ok', database: deps.admin.database.kind })
  } catch {
    // Logged by the health tracker, once per outage: orchestrators probe every few seconds.
    sendError(req, res, unavailable())
  } finally {
    clearTimeout(timer)
  }
}

function allow(req: IncomingMessage, methods: readonly string[]): void {
  if (!methods.includes(req.method ?? '')) {
    throw new HttpError(
      'method_not_allowed',
      `${req.method} is not allowed here; use ${methods.join(' or ')}.`,
      { headers: { allow: methods.join(', ') } },
    )
  }
}

/** Whether the request target is the webhook path as is, with or without a query. */
function isWebhookTarget(target: string | undefined, webhookPath: string): boolean {
  if (target === undefined || !target.startsWith(webhookPath)) return false
  return target.length === webhookPath.length || target.charCodeAt(webhookPath.length) === 63 // '?'
}

function parseUrl(req: IncomingMessage): URL {
  try {
    // Origin-form targets are prefixed, not resolved: `//host/x` must stay a path, not become another host.
    const target = req.url ?? '/'
    return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target)
  } catch {
    throw new HttpError('invalid_path', 'The request target is not a valid URL path.')
  }
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/'
}
