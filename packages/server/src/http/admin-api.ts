import type { DeliveryLog } from 'aghanim-webhooks/store'
import type { DeliveryPageJson, DeliveryWithDuplicatesJson, LedgerJson } from '../api/admin-api-types.js'
import type { ServerDatabase } from '../database/server-database.js'
import { detailJson, summaryJson } from '../deliveries/delivery-json.js'
import { parseDeliveryQuery } from '../deliveries/delivery-query.js'
import { deliveryStatsJson } from '../deliveries/delivery-stats.js'
import { type ReplayDeps, replayDelivery } from '../deliveries/replay.js'
import { HttpError } from '../errors/server-errors.js'
import type { ForwardApiDeps } from '../forward/forward-api.js'
import { parsePlayerId, parsePlayerInput } from '../ledger/player-input.js'
import { isLiveProfile } from '../ledger/sandbox-players.js'
import type { ListenApiDeps } from '../listen/listen-api.js'
import type { ReconcileApiDeps } from '../reconcile/reconcile-api.js'
import { type AdminGames, deliveryScope, inDeliveryScope, requestGame, requestScope } from './admin-scope.js'
import type { DeliveryStream } from './delivery-stream.js'
import { queryLimit } from './query-limit.js'
import { readJson, sendJson } from './respond.js'
import { decodeParam, type RouteCall } from './route-table.js'

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

type AdminCall = RouteCall<AdminApiDeps>

/** `GET /api/deliveries`: a page of summaries, newest first. */
export async function listDeliveriesRoute({ req, res, url, deps }: AdminCall): Promise<void> {
  sendJson(req, res, 200, await listDeliveries(deps.database.deliveries, url.searchParams, deps.games))
}

/** `GET /api/deliveries/stream`: Server-Sent Events of new deliveries in the request's scope. */
export function deliveryStreamRoute({ req, res, url, deps }: AdminCall): void {
  const scope = deliveryScope(url.searchParams, deps.games)
  deps.stream.attach(req, res, (summary) => inDeliveryScope(summary, scope))
}

/** `GET /api/deliveries/:id`: one delivery with its duplicates. */
export async function deliveryRoute({ req, res, url, params: [id], deps }: AdminCall): Promise<void> {
  const scope = deliveryScope(url.searchParams, deps.games)
  sendJson(req, res, 200, {
    delivery: await deliveryDetail(deps.database.deliveries, decodeParam(id!), scope, deps.games),
  })
}

/** `POST /api/deliveries/:id/replay`: signed as the game named (else the body's game_id), replayed as its delivery. */
export async function replayRoute({ req, res, url, params: [id], deps }: AdminCall): Promise<void> {
  const game = url.searchParams.has('game') ? requestGame(url.searchParams, deps.games) : null
  const delivery = await replayDelivery(decodeParam(id!), deps.replay, game)
  sendJson(req, res, 200, { delivery })
}

/** `GET /api/stats/deliveries`: deliveries per minute and outcome. */
export async function deliveryStatsRoute({ req, res, url, deps }: AdminCall): Promise<void> {
  sendJson(req, res, 200, await deliveryStatsJson(deps.database, url.searchParams, deps.now()))
}

/** `GET /api/games`: the games served and the sandbox policy. */
export function gamesRoute({ req, res, deps }: AdminCall): void {
  sendJson(req, res, 200, { games: deps.games.names, sandbox: deps.games.sandbox })
}

/** `GET /api/players/:playerId`: the player and its inventory in the request's ledger. */
export async function playerRoute({ req, res, url, params: [id], deps }: AdminCall): Promise<void> {
  const { ledger } = deps.database
  const playerId = parsePlayerId(id!)
  const scope = requestScope(url.searchParams, deps.games)
  const player = await ledger.getPlayer(playerId, scope)
  if (!player) throw new HttpError('not_found', `No player ${JSON.stringify(playerId)}.`)
  sendJson(req, res, 200, { player, inventory: await ledger.inventory(playerId, scope), ...where(scope) })
}

/** `PUT /api/players/:playerId`: creates (201) or updates (200) the player. */
export async function putPlayerRoute({ req, res, url, params: [id], deps }: AdminCall): Promise<void> {
  const { ledger } = deps.database
  const playerId = parsePlayerId(id!)
  const scope = requestScope(url.searchParams, deps.games)
  const input = parsePlayerInput(await readJson(req, MAX_BODY))
  const before = await ledger.getPlayer(playerId, scope)
  // A sandbox read of a player it has no profile for answers the live one: a first edit creates its own.
  const existed = before !== undefined && !isLiveProfile(before)
  const player = await ledger.upsertPlayer(playerId, input, scope)
  sendJson(req, res, existed ? 200 : 201, {
    player,
    inventory: await ledger.inventory(playerId, scope),
    ...where(scope),
  })
}

/** `GET /api/players/:playerId/history?limit=`: the player's grants and revokes, newest first. */
export async function playerHistoryRoute({ req, res, url, params: [id], deps }: AdminCall): Promise<void> {
  const playerId = parsePlayerId(id!)
  const scope = requestScope(url.searchParams, deps.games)
  const limit = queryLimit(url.searchParams, 100, 1000)
  sendJson(req, res, 200, {
    player_id: playerId,
    history: await deps.database.ledger.history(playerId, { limit }, scope),
    ...where(scope),
  })
}

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
    if (error instanceof RangeError) throw new HttpError('invalid_query', error.message)
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
