import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DeliveryLog } from 'aghanim-webhooks/store'
import type { DeliveryPageJson, DeliveryWithDuplicatesJson, LedgerJson } from '../api/admin-api-types.js'
import type { ServerDatabase } from '../database/server-database.js'
import { detailJson, summaryJson } from '../deliveries/delivery-json.js'
import { parseDeliveryQuery } from '../deliveries/delivery-query.js'
import { deliveryStatsJson } from '../deliveries/delivery-stats.js'
import { type ReplayDeps, replayDelivery } from '../deliveries/replay.js'
import { type ForwardApiDeps, handleForwardApi } from '../forward/forward-api.js'
import { parsePlayerId, parsePlayerInput } from '../ledger/player-input.js'
import { isLiveProfile } from '../ledger/sandbox-players.js'
import { handleListenApi, type ListenApiDeps } from '../listen/listen-api.js'
import { handleReconcileApi, type ReconcileApiDeps } from '../reconcile/reconcile-api.js'
import { authorizeAdmin } from './admin-auth.js'
import { type AdminGames, deliveryScope, inDeliveryScope, requestGame, requestScope } from './admin-scope.js'
import type { DeliveryStream } from './delivery-stream.js'
import { HttpError, readJson, sendJson } from './respond.js'

export interface AdminApiDeps {
  database: ServerDatabase
  stream: DeliveryStream
  replay: ReplayDeps
  adminToken: string | undefined
  /** Production never lets a request in without the token, not even from loopback. */
  production: boolean
  now: () => number
  /** Resolves once the deliveries answered so far are in the log (they are written in the background). */
  logged: () => Promise<void>
  /** Forward mode's routes (attempts per delivery, the outbox, redrive); absent without `--forward-to`. */
  forward?: ForwardApiDeps
  /** The configured games (`?game=`) and the sandbox policy (`&sandbox=true`). */
  games: AdminGames
  /** `aghanim-webhooks listen`'s routes; absent with `--listen-mode off` (they answer 404). */
  listen?: ListenApiDeps
  /** `POST /api/reconcile` and the runs (answers 409 while no S2S API key is configured). */
  reconcile?: ReconcileApiDeps
}

const MAX_BODY = 64 * 1024

/**
 * The admin JSON API under `/api/` (bearer token; without one, loopback only, and in production not at all). Every route
 * either answers JSON or throws an `HttpError`, which the caller turns into `{ status: "error", code, message }`.
 * Internal: mounted by the server.
 */
export async function handleAdminApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: AdminApiDeps,
): Promise<void> {
  authorizeAdmin(req, deps.adminToken, deps)
  const parts = url.pathname.split('/').slice(2) // ['', 'api', ...rest]
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET')
  const route = `${method} ${parts.map((part, index) => (index === 1 && parts.length > 1 ? ':id' : part)).join('/')}`
  const { ledger } = deps.database
  const deliveries: DeliveryLog = deps.database.deliveries
  // Read-your-writes: a delivery answered a moment ago is listed, even though its record is written after the answer.
  if (parts[0] === 'deliveries' || parts[0] === 'stats') await deps.logged()
  if (deps.forward && (await handleForwardApi(req, res, url, deps.forward))) return
  if (await handleListenApi(req, res, url, deps.listen)) return
  if (deps.reconcile && (await handleReconcileApi(req, res, url, deps.reconcile))) return

  switch (route) {
    case 'GET deliveries': {
      const page = await listDeliveries(deliveries, url.searchParams, deps.games)
      return sendJson(req, res, 200, page)
    }
    case 'GET deliveries/:id': {
      const scope = deliveryScope(url.searchParams, deps.games)
      if (parts[1] === 'stream')
        return deps.stream.attach(req, res, (summary) => inDeliveryScope(summary, scope))
      return sendJson(req, res, 200, {
        delivery: await deliveryDetail(deliveries, decode(parts[1]!), scope, deps.games),
      })
    }
    case 'POST deliveries/:id/replay': {
      // Signed as the game named (else the one of the body's game_id): replayed as that game's delivery.
      const game = url.searchParams.has('game') ? requestGame(url.searchParams, deps.games) : null
      const delivery = await replayDelivery(decode(parts[1]!), deps.replay, game)
      return sendJson(req, res, 200, { delivery })
    }
    case 'GET stats/:id':
      if (parts[1] !== 'deliveries') break
      return sendJson(req, res, 200, await deliveryStatsJson(deps.database, url.searchParams, deps.now()))
    case 'GET games':
      return sendJson(req, res, 200, { games: deps.games.names, sandbox: deps.games.sandbox })
    case 'GET players/:id': {
      const playerId = parsePlayerId(parts[1]!)
      const scope = requestScope(url.searchParams, deps.games)
      const player = await ledger.getPlayer(playerId, scope)
      if (!player) throw new HttpError(404, 'not_found', `No player ${JSON.stringify(playerId)}.`)
      return sendJson(req, res, 200, {
        player,
        inventory: await ledger.inventory(playerId, scope),
        ...where(scope),
      })
    }
    case 'PUT players/:id': {
      const playerId = parsePlayerId(parts[1]!)
      const scope = requestScope(url.searchParams, deps.games)
      const input = parsePlayerInput(await readJson(req, MAX_BODY))
      const before = await ledger.getPlayer(playerId, scope)
      // A sandbox read of a player it has no profile for answers the live one: a first edit creates its own.
      const existed = before !== undefined && !isLiveProfile(before)
      const player = await ledger.upsertPlayer(playerId, input, scope)
      return sendJson(req, res, existed ? 200 : 201, {
        player,
        inventory: await ledger.inventory(playerId, scope),
        ...where(scope),
      })
    }
    case 'GET players/:id/history': {
      const playerId = parsePlayerId(parts[1]!)
      const scope = requestScope(url.searchParams, deps.games)
      const limit = Number(url.searchParams.get('limit') ?? 100)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new HttpError(400, 'invalid_query', 'limit must be 1 to 1000.')
      return sendJson(req, res, 200, {
        player_id: playerId,
        history: await ledger.history(playerId, { limit }, scope),
        ...where(scope),
      })
    }
  }
  const known = KNOWN_ROUTES.find((pattern) => pattern.test(url.pathname))
  if (known)
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}.`)
  throw new HttpError(404, 'not_found', `No admin API route ${url.pathname}.`)
}

const KNOWN_ROUTES = [
  /^\/api\/games$/,
  /^\/api\/deliveries$/,
  /^\/api\/deliveries\/[^/]+$/,
  /^\/api\/deliveries\/[^/]+\/replay$/,
  /^\/api\/stats\/deliveries$/,
  /^\/api\/players\/[^/]+$/,
  /^\/api\/players\/[^/]+\/history$/,
]

async function listDeliveries(
  deliveries: DeliveryLog,
  params: URLSearchParams,
  games: AdminGames,
): Promise<DeliveryPageJson> {
  const scope = deliveryScope(params, games)
  try {
    const page = await deliveries.list({ ...parseDeliveryQuery(params), ...scope })
    return { deliveries: page.records.map(summaryJson), next_cursor: page.nextCursor }
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(400, 'invalid_query', error.message)
    throw error
  }
}

/**
 * A delivery with the others of its idempotency key in its game (the same key in two games is two deliveries;
 * in its sandbox too with `SANDBOX=separate`). Outside the request's `?game=`/`&sandbox=` it is not found.
 */
async function deliveryDetail(
  deliveries: DeliveryLog,
  id: string,
  scope: { game?: string; sandbox?: boolean },
  games: AdminGames,
): Promise<DeliveryWithDuplicatesJson> {
  const record = await deliveries.get(id)
  if (!record || !inDeliveryScope(record, scope))
    throw new HttpError(
      404,
      'not_found',
      `No delivery ${JSON.stringify(id)}${scope.game ? ` in ${scope.game}` : ''}.`,
    )
  const keyScope = games.sandbox === 'separate' ? { sandbox: record.sandbox } : {}
  const duplicates = record.key
    ? (await deliveries.list({ key: record.key, game: record.game, ...keyScope, limit: 50 })).records
        .filter((other) => other.id !== record.id)
        .map(summaryJson)
    : []
  return { ...detailJson(record), duplicates }
}

/** Which ledger an answer comes from: the game (`null` for the unnamed one) and whether it is the sandbox's. */
function where(scope: string): LedgerJson {
  const sandbox = scope.endsWith(':sandbox')
  const game = sandbox ? scope.slice(0, -':sandbox'.length) : scope
  return { game: game === '' ? null : game, sandbox }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new HttpError(400, 'invalid_path', 'The path is not valid percent-encoding.')
  }
}
