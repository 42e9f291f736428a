import type {
  FixedOrder,
  MissingOrder,
  ReconcileResult,
  RevokedMissingOrder,
} from '../api/admin-api-types.js'
import type { Ledger, OrderClaims } from '../ledger/ledger.js'
import { orderOf } from '../ledger/order-of.js'
import type { Payment, S2sClient } from './s2s-client.js'
import type { SyntheticChange } from './synthetic-event.js'

export type { FixedOrder, MissingOrder, ReconcileResult, RevokedMissingOrder }

export interface ReconcileRequest {
  runId: string
  game: string
  /** The live ledger the game's deliveries go to (its id, or '' for the one unnamed game). */
  scope: string
  /** The game the synthetic events are signed for and name (null: the unnamed game). */
  webhookGame: string | null
  /** The window, Unix seconds: payments whose status changed in [since, until]. */
  since: number
  until: number
  /** Grant the missing orders. */
  fix: boolean
  /** Revoke the refunded or charged-back orders whose grant was never revoked (only when asked). */
  revoke: boolean
  /** After a grant, mark the order `handled_by_client: true` in Aghanim. */
  markHandled: boolean
}

export interface ReconcileProgress {
  phase: 'paid' | 'refunded' | 'fixing'
  pages: number
  checked: number
  missing: number
  revokedMissing: number
  fixed: number
}

export interface ReconcileDeps {
  ledger: Pick<Ledger, 'orderClaims' | 'history'>
  s2s: S2sClient
  /** Delivers a synthetic item.add / item.remove through the webhook handler; resolves with its answer. */
  deliver: (change: SyntheticChange) => Promise<{ status: number; body: unknown }>
  pageSize?: number
  onProgress?: (progress: ReconcileProgress) => void
}

const PAID = 'done'
const REVERSED = 'refunded,chargeback'
const DEFAULT_PAGE_SIZE = 100

/**
 * One reconciliation of one game over a window: pages through the payments that reached `done`, and those that
 * were refunded or charged back, and compares each order with the ledger's claims. An order paid but never
 * granted is `missing`; a reversed order granted but never revoked is `revoked_missing`. With `fix` (and
 * `revoke`) each is delivered as a synthetic event through the webhook handler, whose grant claims the order
 * in its own transaction: whichever of it and a late webhook commits first grants, the other changes nothing.
 *
 * @example const result = await reconcile({ runId, game: '', since, until, fix: true, revoke: false, markHandled: false }, deps)
 */
export async function reconcile(request: ReconcileRequest, deps: ReconcileDeps): Promise<ReconcileResult> {
  const progress: ReconcileProgress = {
    phase: 'paid',
    pages: 0,
    checked: 0,
    missing: 0,
    revokedMissing: 0,
    fixed: 0,
  }
  const report = () => deps.onProgress?.({ ...progress })
  const seen = new Set<string>()
  const missing: MissingOrder[] = []
  const revokedMissing: RevokedMissingOrder[] = []
  /** Counts a page of payments in `phase`: its orders not seen before, and their claims in the ledger. */
  const turnPage = async (phase: typeof progress.phase, page: Parameters<typeof newOrders>[0]) => {
    progress.phase = phase
    progress.pages++
    const orders = newOrders(page, seen)
    progress.checked = seen.size
    return { orders, claims: await deps.ledger.orderClaims(request.scope, [...orders.keys()]) }
  }

  for await (const page of payments(request, REVERSED, deps)) {
    const { orders, claims } = await turnPage('refunded', page)
    for (const [orderId, payment] of orders) {
      const claim = claims.get(orderId)
      if (!claim?.grant || claim.revoke) continue
      const items = payment.items?.length ? payment.items : ((await deps.s2s.getOrder(orderId))?.items ?? [])
      revokedMissing.push({
        order_id: orderId,
        player_id: claim.grant.playerId,
        items,
        status: payment.status,
        status_at: payment.status_updated_at ?? null,
      })
    }
    progress.revokedMissing = revokedMissing.length
    report()
  }
  // Reversed orders are looked at first: an order refunded after its payment was listed as done is not
  // granted now, only to be revoked by the same run.
  for await (const page of payments(request, PAID, deps)) {
    const { orders, claims } = await turnPage('paid', page)
    for (const orderId of orders.keys()) {
      if (claims.get(orderId)?.grant) continue
      const order = await deps.s2s.getOrder(orderId)
      // The payment is done but the order moved on (refunded, disputed) or is unknown: nothing to grant.
      if (order?.status !== 'paid') continue
      missing.push({
        order_id: orderId,
        player_id: order.player_id,
        items: order.items,
        paid_at: order.paid_at ?? null,
        created_at: order.created_at,
      })
    }
    progress.missing = missing.length
    report()
  }

  const fixed: FixedOrder[] = []
  if (request.fix || request.revoke) progress.phase = 'fixing'
  if (request.fix) {
    for (const order of missing) {
      fixed.push(await fixOne(request, deps, 'grant', order))
      progress.fixed = fixed.length
      report()
    }
  }
  if (request.revoke) {
    for (const order of revokedMissing) {
      fixed.push(await fixOne(request, deps, 'revoke', order))
      progress.fixed = fixed.length
      report()
    }
  }
  return {
    run_id: request.runId,
    game: request.game,
    since: request.since,
    until: request.until,
    checked: seen.size,
    missing,
    revoked_missing: revokedMissing,
    fixed,
  }
}

async function fixOne(
  request: ReconcileRequest,
  deps: ReconcileDeps,
  action: 'grant' | 'revoke',
  order: { order_id: string; player_id: string; items: unknown[]; created_at?: number },
): Promise<FixedOrder> {
  if (action === 'grant') {
    const untied = await untiedGrant(deps, order, request.scope)
    if (untied)
      return {
        order_id: order.order_id,
        player_id: order.player_id,
        action,
        status: 0,
        result: 'skipped',
        message: `Not granted: the player received ${untied.sku} by an item.add tied to no order (reason ${JSON.stringify(untied.reason)}) after this order was created; it may have been this order's. Grant it by hand if not.`,
      }
  }
  const change: SyntheticChange = {
    kind: action === 'grant' ? 'item.add' : 'item.remove',
    runId: request.runId,
    webhookGame: request.webhookGame,
    orderId: order.order_id,
    playerId: order.player_id,
    items: order.items,
    sandbox: false,
  }
  const answer = await deps.deliver(change)
  const base = { order_id: order.order_id, player_id: order.player_id, action, status: answer.status }
  if (answer.status < 200 || answer.status >= 300)
    return { ...base, result: 'failed', message: messageOf(answer.body) }
  const claims: OrderClaims | undefined = (
    await deps.ledger.orderClaims(request.scope, [order.order_id])
  ).get(order.order_id)
  const claim = claims?.[action]
  const ours = claim?.eventId?.startsWith(`rec_${request.runId}_`) === true
  // Forward mode claims after the backend answered; no claim at all after a 2xx means nobody tied the
  // grant to the order (a studio handler that does not use the ledger): the answer is all we know.
  const result =
    action === 'grant'
      ? claim && !ours
        ? 'already_granted'
        : 'granted'
      : claim && !ours
        ? 'already_revoked'
        : 'revoked'
  const fixedOrder: FixedOrder = { ...base, result }
  if (action === 'grant' && request.markHandled) {
    try {
      await deps.s2s.markHandled(order.order_id)
      fixedOrder.marked_handled = true
    } catch (error) {
      fixedOrder.marked_handled = false
      fixedOrder.message = `Granted, but not marked handled: ${(error as Error).message}`
    }
  }
  return fixedOrder
}

/**
 * A grant of one of the order's SKUs to its player, after the order was created, by an item.add whose reason
 * names no order: if Aghanim ever words its reason differently, that grant may be this very order's, and
 * granting again would grant twice. Such an order is reported and left for a person to decide.
 */
async function untiedGrant(
  deps: ReconcileDeps,
  order: { player_id: string; items: unknown[]; created_at?: number },
  scope: string,
) {
  const skus = new Set(order.items.map((item) => (item as { sku?: unknown }).sku))
  const since = (order.created_at ?? 0) * 1000
  const history = await deps.ledger.history(order.player_id, { limit: 200 }, scope)
  return history.find(
    (entry) =>
      entry.kind === 'grant' &&
      entry.event_type === 'item.add' &&
      orderOf({ reason: entry.reason }) === null &&
      skus.has(entry.sku) &&
      Date.parse(entry.created_at) >= since,
  )
}

/** The page's payments by order, leaving out orders already seen in this run and payments with no order. */
function newOrders(page: readonly Payment[], seen: Set<string>): Map<string, Payment> {
  const orders = new Map<string, Payment>()
  for (const payment of page) {
    const orderId = payment.order_id
    if (typeof orderId !== 'string' || orderId === '' || seen.has(orderId)) continue
    seen.add(orderId)
    orders.set(orderId, payment)
  }
  return orders
}

/** Pages of payments in these statuses, offset after offset, until a page shorter than asked for. */
async function* payments(
  request: ReconcileRequest,
  status: string,
  deps: ReconcileDeps,
): AsyncGenerator<Payment[]> {
  const limit = deps.pageSize ?? DEFAULT_PAGE_SIZE
  for (let offset = 0; ; offset += limit) {
    const page = await deps.s2s.listPayments({
      status,
      startAt: request.since,
      endAt: request.until,
      field: 'status_updated_at',
      limit,
      offset,
    })
    yield page
    if (page.length < limit) return
  }
}

function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : 'The webhook handler refused the synthetic event.'
}
