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

/**
 * Every admin API route, in the order they are matched (a literal segment before a `:param` in its place). It drives
 * the dispatch, the 404/405 answers, and docs/server.md's route list (packages/server/test/admin-routes-doc.test.ts).
 */
export const ADMIN_ROUTES: readonly AdminRoute<AdminApiDeps, unknown>[] = [
  adminRoute({ method: 'GET', path: 'games', auth: 'admin', handler: gamesRoute }),
  adminRoute({
    method: 'GET',
    path: 'deliveries',
    auth: 'admin',
    readsLog: true,
    handler: listDeliveriesRoute,
  }),
  adminRoute({
    method: 'GET',
    path: 'deliveries/stream',
    auth: 'admin',
    readsLog: true,
    handler: deliveryStreamRoute,
  }),
  adminRoute({
    method: 'GET',
    path: 'deliveries/:id',
    auth: 'admin',
    readsLog: true,
    handler: deliveryRoute,
  }),
  adminRoute({
    method: 'POST',
    path: 'deliveries/:id/replay',
    auth: 'admin',
    readsLog: true,
    handler: replayRoute,
  }),
  adminRoute<AdminApiDeps, ForwardApiDeps>({
    method: 'GET',
    path: 'deliveries/:id/forwards',
    auth: 'admin',
    readsLog: true,
    feature: forward,
    handler: forwardAttemptsRoute,
  }),
  adminRoute<AdminApiDeps, ListenApiDeps>({
    method: 'GET',
    path: 'deliveries/:id/listens',
    auth: 'admin',
    readsLog: true,
    feature: listen,
    off: listensOff,
    handler: listensRoute,
  }),
  adminRoute({
    method: 'GET',
    path: 'stats/deliveries',
    auth: 'admin',
    readsLog: true,
    handler: deliveryStatsRoute,
  }),
  adminRoute({ method: 'GET', path: 'players/:playerId', auth: 'admin', handler: playerRoute }),
  adminRoute({ method: 'PUT', path: 'players/:playerId', auth: 'admin', handler: putPlayerRoute }),
  adminRoute({
    method: 'GET',
    path: 'players/:playerId/history',
    auth: 'admin',
    handler: playerHistoryRoute,
  }),
  adminRoute<AdminApiDeps, ForwardApiDeps>({
    method: 'GET',
    path: 'outbox',
    auth: 'admin',
    feature: forward,
    handler: outboxRoute,
  }),
  adminRoute<AdminApiDeps, ForwardApiDeps>({
    method: 'POST',
    path: 'outbox/redrive',
    auth: 'admin',
    feature: forward,
    handler: redriveRoute,
  }),
  adminRoute<AdminApiDeps, ListenApiDeps>({
    method: 'GET',
    path: 'listen',
    auth: 'admin',
    feature: listen,
    off: listenOff,
    handler: listenRoute,
  }),
  adminRoute<AdminApiDeps, ListenApiDeps>({
    method: 'POST',
    path: 'listen/answers',
    auth: 'admin',
    feature: listen,
    off: listenOff,
    handler: listenAnswerRoute,
  }),
  adminRoute<AdminApiDeps, ReconcileApiDeps>({
    method: 'GET',
    path: 'reconcile/runs',
    auth: 'admin',
    feature: reconcile,
    handler: reconcileRunsRoute,
  }),
  adminRoute<AdminApiDeps, ReconcileApiDeps>({
    method: 'POST',
    path: 'reconcile',
    auth: 'admin',
    feature: reconcile,
    handler: reconcileRoute,
  }),
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
