import type { HistoryEntry, InventoryLine, Player } from '../api/admin-api-types.js'

export type { HistoryEntry, InventoryLine, Player }

/**
 * The reference ledger: players, their inventory with a grant/revoke history, and the notification tables a
 * studio can query (events, orders, subscriptions). One interface, a SQLite and a PostgreSQL implementation with
 * the same behaviour. Reads run on their own; writes that must be exactly-once (`applyChange`, `recordEvent`)
 * are work on the store's transaction `Tx`, queued with `transact()`, so they commit with the idempotency record.
 *
 * @example
 * router.on('item.add', async (event, { transact }) => {
 *   transact(ledger.applyChange({ kind: 'grant', playerId: 'p1', items: [{ sku: 'gems', quantity: 5 }], ...meta }))
 * })
 */
export interface Ledger<Tx = unknown> {
  readonly kind: 'sqlite' | 'postgres'
  /**
   * Every read and write is within one ledger scope: a game's live ledger (`gm_a`), its sandbox
   * (`gm_a:sandbox`), or with one unnamed game `''` (the default) and `':sandbox'`. A handler's
   * `context.scope` is its delivery's (see `ledgerScope` in the library).
   */
  getPlayer(playerId: string, scope?: string): Promise<Player | undefined>
  /** Whether the player exists: what a grant checks. Players are never deleted, so a yes may be remembered. */
  hasPlayer(playerId: string, scope?: string): Promise<boolean>
  /** Creates the player, or updates the fields given (absent fields keep their value). */
  upsertPlayer(playerId: string, input: PlayerInput, scope?: string): Promise<Player>
  inventory(playerId: string, scope?: string): Promise<InventoryLine[]>
  /** Grant and revoke entries, newest first. */
  history(playerId: string, options?: { limit?: number }, scope?: string): Promise<HistoryEntry[]>
  /** Players matching a partial composite identity (player.lookup): by player id, or custom attributes. */
  lookupPlayers(fields: Record<string, string>, scope?: string): Promise<Player[]>
  /**
   * The work that adds (grant) or subtracts (revoke) quantities and writes one history row per item, to queue
   * with `transact()`. A revoke never takes an inventory below zero: it clamps at zero and records the missing
   * quantity as `shortfall`. SQLite's work is synchronous (its work items must be); PostgreSQL's is one
   * statement that the completion runs inside its own, so a grant commits in one round trip.
   */
  applyChange(change: LedgerChange): (tx: Tx) => void | Promise<void>
  /** Records a notification in `events`, and keeps `orders` / `subscriptions` at their latest state. */
  recordEvent(tx: Tx, event: RecordedEvent): void | Promise<void>
  /**
   * Who granted and who revoked each of these orders, if anyone: a change tied to an order (`orderId`) claims
   * the order for its kind in its own transaction, so one order is granted at most once and revoked at most
   * once, whichever path (webhook, reconciliation) gets there first. Order ids are Aghanim's own, unique across
   * games, so a claim is per order whatever scope made it; `scope` names the ledger the caller reconciles, and a
   * claim records the scope it was made in (`game`).
   */
  orderClaims(scope: string, orderIds: readonly string[]): Promise<Map<string, OrderClaims>>
  /**
   * Work that claims an order without touching the inventory (forward mode: the backend granted it). Does
   * nothing when the order is already claimed for that kind.
   */
  claimOrder(claim: OrderClaim): (tx: Tx) => void | Promise<void>
  /** Stores a finished reconciliation run (see `ReconcileRunRecord`). */
  recordReconcileRun(run: ReconcileRunRecord): Promise<void>
  /** The latest reconciliation runs, newest first. */
  reconcileRuns(options?: { limit?: number; game?: string }): Promise<ReconcileRunRecord[]>
  /** Cheap query proving the database answers (readiness). */
  ping(): Promise<void>
}

export type PlayerInput = Partial<Omit<Player, 'player_id' | 'created_at' | 'updated_at'>>

export interface LedgerChange {
  /** The ledger scope (`context.scope`); `''` by default. */
  scope?: string
  kind: 'grant' | 'revoke'
  playerId: string
  items: readonly InventoryLine[]
  /** The order the change belongs to (see `orderOf`); null for grants tied to no order (free items, rewards). */
  orderId?: string | null
  /** Which path made the change: a webhook from Aghanim (the default), or reconciliation's synthetic event. */
  source?: ClaimSource
  key: string | null
  eventId: string
  eventType: string
  reason: string | null
  /** Milliseconds since the epoch (injected clock). */
  at: number
}

/** A notification's typed columns; everything else stays in `data` (the whole event_data, as JSON). */
export interface RecordedEvent {
  /** The ledger scope (`context.scope`); `''` by default. */
  scope?: string
  eventType: string
  eventId: string
  key: string | null
  playerId: string | null
  orderId: string | null
  paymentId: string | null
  subscriptionId: string | null
  status: string | null
  amount: number | null
  currency: string | null
  /** `event_time`, Unix seconds, when the envelope had one. */
  eventTime: number | null
  /** Orders: `modified_at`; subscriptions: `effective_until` (Unix seconds). */
  modifiedAt: number | null
  effectiveUntil: number | null
  sku: string | null
  sandbox: boolean
  data: unknown
  at: number
}

export type ClaimSource = 'webhook' | 'reconcile'

/** One order's claim for one kind of change. */
export interface OrderClaim {
  orderId: string
  kind: 'grant' | 'revoke'
  game: string
  playerId: string
  source: ClaimSource
  eventId: string | null
  key: string | null
  /** Milliseconds since the epoch. */
  at: number
}

/** `order_claims`' columns, in the order both ledgers insert them. */
export const ORDER_CLAIM_COLUMNS =
  'order_id, kind, game, player_id, source, event_id, idempotency_key, created_at'

/** A claim's values for `ORDER_CLAIM_COLUMNS` but `created_at`, whose type each database has its own of. */
export function orderClaimValues(claim: OrderClaim): (string | null)[] {
  return [claim.orderId, claim.kind, claim.game, claim.playerId, claim.source, claim.eventId, claim.key]
}

export interface OrderClaims {
  grant?: OrderClaim
  revoke?: OrderClaim
}

/** A reconciliation run as stored: its window, what it found and fixed (the API's answer), or why it failed. */
export interface ReconcileRunRecord {
  id: string
  game: string
  trigger: 'schedule' | 'api'
  /** Milliseconds since the epoch. */
  startedAt: number
  finishedAt: number
  /** The window, Unix seconds. */
  since: number
  until: number
  fix: boolean
  checked: number
  missing: number
  revokedMissing: number
  fixed: number
  error: string | null
  /** The whole answer (`checked`, `missing`, `revoked_missing`, `fixed`), as JSON. */
  result: unknown
}
