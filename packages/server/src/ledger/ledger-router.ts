import { type AnyWebhookEvent, createRouter, decline, deny, reply, transactional } from 'aghanim-webhooks'
import { serverErrorCatalogue } from '../errors/server-errors.js'
import type { RouterLayer } from '../handlers/layered-router.js'
import type { StoreItem } from '../store-items/store-items.js'
import { grantLines } from './grant-lines.js'
import type { Ledger, Player } from './ledger.js'
import { orderOf } from './order-of.js'
import { toRecordedEvent } from './recorded-event.js'

export interface LedgerRouterOptions {
  /** What store.get answers (the `--catalogue` file, or the built-in list). */
  storeItems: () => readonly StoreItem[]
  now: () => number
}

/**
 * The envelope `trigger` of reconciliation's synthetic item.add / item.remove (they also carry the header
 * `x-aghanim-webhooks-reconcile`, for a backend in forward mode). Read from the signed body rather than the
 * headers, which a handler builds only when it reads them.
 */
export const RECONCILE_TRIGGER = 'aghanim-webhooks.reconcile'

/**
 * The reference ledger's handlers: player.verify / player.lookup / player.update from the players table,
 * store.get from the catalogue, item.add / item.remove on the inventory, every other event recorded in
 * `events` (+ `orders`, `subscriptions`) by the layer's fallback. Every write is queued with `transact()`, so it commits in the same
 * transaction as the idempotency record: exactly once, and never acknowledged before it is durable.
 *
 * @example const { router, fallback } = createLedgerRouter(ledger, { storeItems: () => [{ sku: 'crystals' }], now: Date.now })
 */
export function createLedgerRouter<Tx>(ledger: Ledger<Tx>, options: LedgerRouterOptions): RouterLayer<Tx> {
  const router = createRouter<Tx>()
  router.on('player.verify', async (event, { scope }) => {
    const playerId = event.event_data.player_id
    const player = await ledger.getPlayer(playerId, scope)
    if (!player) return deny(`Player ${JSON.stringify(playerId)} not found.`, denial('not_found'))
    if (player.banned) return deny(`Player ${JSON.stringify(playerId)} is banned.`, denial('banned'))
    return verifiedPlayer(player)
  })

  router.on('player.lookup', async (event, { scope }) => {
    const players = (await ledger.lookupPlayers(lookupFields(event.event_data), scope)).filter(
      (player) => !player.banned,
    )
    if (players.length === 0)
      return { status: 'error' as const, code: 'not_found' as const, message: 'No account matches.' }
    return { status: 'ok' as const, data: players.map(lookupEntry) }
  })

  router.on('store.get', () => ({ items: options.storeItems().map((item) => ({ ...item })) }))

  // Transactional: every write is queued with transact(), so the handler may run before its key is claimed and
  // a PostgreSQL grant commits with its key in one statement.
  router.on(
    ['item.add', 'item.remove'],
    transactional(async (event, { key, scope, transact }) => {
      const lines = grantLines(event.event_data)
      const playerId = event.event_data.player_id
      const grant = event.event_type === 'item.add'
      if (!lines.ok)
        return grant
          ? decline(lines.message)
          : reply(400, { status: 'error', code: 'invalid_event_data', message: lines.message })
      // Declining lets Aghanim refund automatically: better than taking money for goods nobody receives.
      if (grant && !(await ledger.hasPlayer(playerId, scope)))
        return decline(`Unknown player ${JSON.stringify(playerId)}.`)
      const change = {
        scope,
        kind: grant ? ('grant' as const) : ('revoke' as const),
        playerId,
        items: lines.items,
        key,
        eventId: event.event_id,
        eventType: event.event_type,
        reason: typeof event.event_data.reason === 'string' ? event.event_data.reason : null,
        orderId: orderOf(event.event_data),
        source:
          (event as { trigger?: unknown }).trigger === RECONCILE_TRIGGER
            ? ('reconcile' as const)
            : ('webhook' as const),
        at: options.now(),
      }
      transact(ledger.applyChange(change))
    }),
  )

  router.on('player.update', async (event, { key, scope, transact }) => {
    const { player_id: playerId, name, email, avatar_url: avatarUrl } = event.event_data
    if (!(await ledger.getPlayer(playerId, scope)))
      return { status: 'error' as const, code: 'not_found' as const, message: 'Player not found' }
    // Setting the same fields again is harmless, so the profile update itself needs no transaction.
    await ledger.upsertPlayer(playerId, definedStrings({ name, email, avatar_url: avatarUrl }), scope)
    record(ledger, event, key, scope, options.now(), transact)
    return undefined
  })

  return {
    router,
    fallback: transactional((event, { key, scope, transact }) => {
      // Decision events (also unknown future ones) are not deduplicated and have no transaction to record in.
      if (key !== null) record(ledger, event, key, scope, options.now(), transact)
    }),
  }
}

function denial(code: 'not_found' | 'banned') {
  return { status: serverErrorCatalogue[code].status, code }
}

function record<Tx>(
  ledger: Ledger<Tx>,
  event: AnyWebhookEvent,
  key: string | null,
  scope: string,
  at: number,
  transact: (work: (tx: Tx) => void | Promise<void>) => void,
): void {
  const recorded = toRecordedEvent(event, key, at, scope)
  transact((tx) => ledger.recordEvent(tx, recorded))
}

function verifiedPlayer(player: Player) {
  return {
    player_id: player.player_id,
    name: player.name,
    attributes: player.attributes,
    banned: player.banned,
    segments: player.segments,
    custom_attributes: player.custom_attributes,
    ...definedStrings({ email: player.email, avatar_url: player.avatar_url, country: player.country }),
  }
}

function lookupEntry(player: Player) {
  return {
    name: player.name,
    ...definedStrings({ avatar_url: player.avatar_url }),
    player: { player_id: player.player_id, ...player.custom_attributes },
  }
}

function lookupFields(data: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(data)) {
    if (typeof value === 'string' || typeof value === 'number') fields[name] = String(value)
  }
  return fields
}

function definedStrings(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) if (typeof value === 'string') out[name] = value
  return out
}
