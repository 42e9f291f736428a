import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type ForwardApiDeps,
  forwardAttemptsRoute,
  outboxRoute,
  redriveRoute,
} from '../forward/forward-api.js'
import {
  type ListenApiDeps,
  listenAnswerRoute,
  listenOff,
  listenRoute,
  listensOff,
  listensRoute,
} from '../listen/listen-api.js'
import { type ReconcileApiDeps, reconcileRoute, reconcileRunsRoute } from '../reconcile/reconcile-api.js'
import {
  type AdminApiDeps,
  deliveryRoute,
  deliveryStatsRoute,
  deliveryStreamRoute,
  gamesRoute,
  listDeliveriesRoute,
  playerHistoryRoute,
  playerRoute,
  putPlayerRoute,
  replayRoute,
} from './admin-api.js'
import { authorizeAdmin } from './admin-auth.js'
import { type AdminRoute, adminRoute, dispatchRoute } from './route-table.js'

const forward = (deps: AdminApiDeps) => deps.forward
const listen = (deps: AdminApiDeps) => deps.listen
const reconcile = (deps: AdminApiDeps) => deps.reconcile

type RouteOptions<Deps> = Pick<AdminRoute<AdminApiDeps, Deps>, 'feature' | 'off' | 'readsLog'>

/** One admin route (all need the admin token); `Deps` is what its feature gives its handler. */
function route<Deps = AdminApiDeps>(
  method: AdminRoute<AdminApiDeps>['method'],
  path: string,
  handler: AdminRoute<AdminApiDeps, Deps>['handler'],
  options: RouteOptions<Deps> = {},
): AdminRoute<AdminApiDeps, unknown> {
  return adminRoute<AdminApiDeps, Deps>({ method, path, auth: 'admin', handler, ...options })
}

const readsLog = { readsLog: true }

/**
 * Every admin API route, in the order they are matched (a literal segment before a `:param` in its place). It drives
 * the dispatch and the 404/405 answers, and docs/server.md's route list is checked against it
 * (packages/server/test/server-docs.test.ts).
 */
export const ADMIN_ROUTES: readonly AdminRoute<AdminApiDeps, unknown>[] = [
  route('GET', 'games', gamesRoute),
  route('GET', 'deliveries', listDeliveriesRoute, readsLog),
  route('GET', 'deliveries/stream', deliveryStreamRoute, readsLog),
  route('GET', 'deliveries/:id', deliveryRoute, readsLog),
  route('POST', 'deliveries/:id/replay', replayRoute, readsLog),
  route<ForwardApiDeps>('GET', 'deliveries/:id/forwards', forwardAttemptsRoute, {
    ...readsLog,
    feature: forward,
  }),
  route<ListenApiDeps>('GET', 'deliveries/:id/listens', listensRoute, {
    ...readsLog,
    feature: listen,
    off: listensOff,
  }),
  route('GET', 'stats/deliveries', deliveryStatsRoute, readsLog),
  route('GET', 'players/:playerId', playerRoute),
  route('PUT', 'players/:playerId', putPlayerRoute),
  route('GET', 'players/:playerId/history', playerHistoryRoute),
  route<ForwardApiDeps>('GET', 'outbox', outboxRoute, { feature: forward }),
  route<ForwardApiDeps>('POST', 'outbox/redrive', redriveRoute, { feature: forward }),
  route<ListenApiDeps>('GET', 'listen', listenRoute, { feature: listen, off: listenOff }),
  route<ListenApiDeps>('POST', 'listen/answers', listenAnswerRoute, { feature: listen, off: listenOff }),
  route<ReconcileApiDeps>('GET', 'reconcile/runs', reconcileRunsRoute, { feature: reconcile }),
  route<ReconcileApiDeps>('POST', 'reconcile', reconcileRoute, { feature: reconcile }),
]

/**
 * The admin JSON API under `/api/` (bearer token; without one, loopback only, and in production not at all). Every
 * route either answers JSON or throws an `HttpError`, which the caller turns into `{ status: "error", code, message }`.
 * An unknown path needs the token too, so the answers never tell which routes exist. Internal: mounted by the server.
 */
export async function handleAdminApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: AdminApiDeps,
): Promise<void> {
  authorizeAdmin(req, deps.adminToken, deps)
  // With the listen mode off, every path under /api/listen says so (not only the routes it would have).
  if (!deps.listen && url.pathname.split('/')[2] === 'listen') throw listenOff()
  return dispatchRoute(ADMIN_ROUTES, { req, res, url, deps }, deps.logged)
}
