import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError } from '../errors/server-errors.js'

/**
 * What a route's handler gets: the request, its `:params` as they stand in the path (in path order; each route
 * decodes its own, so a bad encoding is answered in the terms of what it names) and its feature's deps.
 */
export interface RouteCall<Deps> {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  params: string[]
  deps: Deps
}

/**
 * One admin API route: `path` is under `/api/` (`deliveries/:id/replay`). `feature` picks the deps the handler needs
 * and is undefined when the feature is off: the route is then absent (404), or answers `off` when it has one.
 */
export interface AdminRoute<All, Deps = All> {
  method: 'GET' | 'POST' | 'PUT'
  path: string
  /** Every route needs the admin token (or, without one, a loopback client); declared so the docs can say so. */
  auth: 'admin'
  handler: (call: RouteCall<Deps>) => Promise<void> | void
  feature?: (deps: All) => Deps | undefined
  off?: () => HttpError
  /** Read-your-writes: waits until the deliveries answered so far are in the log. */
  readsLog?: boolean
}

/** Types one route against its feature's deps, for a table that holds routes of several features. */
export function adminRoute<All, Deps = All>(route: AdminRoute<All, Deps>): AdminRoute<All, unknown> {
  return route as AdminRoute<All, unknown>
}

/**
 * Runs the route of the table the request names. A known path with another method is a 405 with `Allow` (GET
 * routes take HEAD too); an unknown one a 404. Internal.
 */
export async function dispatchRoute<All>(
  routes: readonly AdminRoute<All, unknown>[],
  call: Omit<RouteCall<All>, 'params'>,
  waitForLog: () => Promise<void>,
): Promise<void> {
  const { req, url, deps } = call
  const parts = url.pathname.split('/').slice(2) // ['', 'api', ...rest]
  const method = req.method === 'HEAD' ? 'GET' : req.method
  const onPath: { route: AdminRoute<All, unknown>; deps: unknown }[] = []
  for (const route of routes) {
    if (!pathMatches(route.path, parts)) continue
    const featureDeps = route.feature ? route.feature(deps) : deps
    if (featureDeps === undefined) {
      if (route.off) throw route.off()
      continue
    }
    onPath.push({ route, deps: featureDeps })
  }
  const found = onPath.find(({ route }) => route.method === method)
  if (found) {
    if (found.route.readsLog) await waitForLog()
    return found.route.handler({ ...call, params: paramsOf(found.route.path, parts), deps: found.deps })
  }
  if (onPath.length > 0) {
    const allowed = [...new Set(onPath.flatMap(({ route }) => allowedMethods(route.method)))]
    throw new HttpError('method_not_allowed', `${req.method} is not allowed on ${url.pathname}.`, {
      headers: { allow: allowed.join(', ') },
    })
  }
  throw new HttpError('not_found', `No admin API route ${url.pathname}.`)
}

function allowedMethods(method: string): string[] {
  return method === 'GET' ? ['GET', 'HEAD'] : [method]
}

const segmentsOf = (path: string) => path.split('/')

function pathMatches(path: string, parts: readonly string[]): boolean {
  const segments = segmentsOf(path)
  return (
    segments.length === parts.length &&
    segments.every((segment, index) => segment.startsWith(':') || segment === parts[index])
  )
}

function paramsOf(path: string, parts: readonly string[]): string[] {
  return segmentsOf(path).flatMap((segment, index) => (segment.startsWith(':') ? [parts[index]!] : []))
}

/** A `:param` percent-decoded; a bad encoding is a 400 `invalid_path`. */
export function decodeParam(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new HttpError('invalid_path', 'The path is not valid percent-encoding.')
  }
}
