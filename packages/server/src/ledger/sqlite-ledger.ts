import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'
import {
  type Ledger,
  type LedgerChange,
  ORDER_CLAIM_COLUMNS,
  type OrderClaim,
  type OrderClaims,
  orderClaimValues,
  type Player,
  type RecordedEvent,
} from './ledger.js'
import { claimFromRow, claimOf, runFromRow, runValues } from './order-claim-rows.js'
import { createPlayerCache } from './player-cache.js'
import { historyFromRow, lookupClauses, mergePlayer } from './player-rows.js'
import {
  EVENT_COLUMNS,
  eventValues,
  ORDER_ROW_COLUMNS,
  orderRowValues,
  SUBSCRIPTION_ROW_COLUMNS,
  subscriptionRowValues,
} from './recorded-event.js'

/** The SQLite store's transaction handle: work items get the store's connection inside its transaction. */
export interface SqliteTx {
  db: DatabaseSync
}

type Row = Record<string, SQLInputValue>

/** What the ledger needs from the SQLite store: its connection, and durable writes through its group commit. */
export interface SqliteLedgerStore {
  db: DatabaseSync
  transact<T>(work: (tx: SqliteTx) => T): Promise<T>
}

/**
 * The ledger on the embedded SQLite database: the store's own connection, so every write joins its group
 * commit (one fsync for everything written in the same event-loop turn). Reads run at once (WAL).
 *
 * @example const ledger = createSqliteLedger(openSqliteStore({ path })); await ledger.upsertPlayer('p1', { name: 'Molly' })
 */
export function createSqliteLedger(store: SqliteLedgerStore, now: () => number = Date.now): Ledger<SqliteTx> {
  const db = store.db
  const cache = new Map<string, StatementSync>()
  const statement = (target: DatabaseSync, sql: string) => {
    if (target !== db) return target.prepare(sql)
    const cached = cache.get(sql)
    if (cached) return cached
    const prepared = db.prepare(sql)
    cache.set(sql, prepared)
    return prepared
  }
  const readPlayer = (playerId: string, scope: string) =>
    statement(db, 'SELECT * FROM players WHERE scope = ? AND player_id = ?').get(scope, playerId) as
      | Row
      | undefined
  const players = createPlayerCache(db)
  const cachedPlayer = (playerId: string, scope: string) => {
    const cached = players.get(playerId, scope)
    if (cached !== undefined) return cached ?? undefined
    const row = readPlayer(playerId, scope)
    return players.set(playerId, scope, row ? toPlayer(row) : undefined)
  }

  return {
    kind: 'sqlite',
    async getPlayer(playerId, scope = '') {
      return cachedPlayer(playerId, scope)
    },
    async hasPlayer(playerId, scope = '') {
      return cachedPlayer(playerId, scope) !== undefined
    },
    async upsertPlayer(playerId, input, scope = '') {
      const at = now()
      // Read and write in one group transaction, so two concurrent partial updates cannot lose a field.
      const row = await store.transact(({ db: tx }) => {
        const read = statement(tx, 'SELECT * FROM players WHERE scope = ? AND player_id = ?')
        const existing = read.get(scope, playerId) as Row | undefined
        const merged = mergePlayer(playerId, existing ? toPlayer(existing) : undefined, input)
        statement(
          tx,
          `INSERT INTO players (scope, player_id, name, attributes, banned, email, avatar_url, country, segments, custom_attributes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, player_id) DO UPDATE SET name = excluded.name, attributes = excluded.attributes,
           banned = excluded.banned, email = excluded.email, avatar_url = excluded.avatar_url, country = excluded.country,
           segments = excluded.segments, custom_attributes = excluded.custom_attributes, updated_at = excluded.updated_at`,
        ).run(scope, ...playerValues(playerId, merged), at, at)
        return read.get(scope, playerId) as Row
      })
      return toPlayer(row)
    },
    async inventory(playerId, scope = '') {
      const rows = statement(
        db,
        'SELECT sku, quantity FROM inventory WHERE scope = ? AND player_id = ? AND quantity > 0 ORDER BY sku',
      ).all(scope, playerId)
      return rows.map((row) => ({ sku: String(row.sku), quantity: Number(row.quantity) }))
    },
    async history(playerId, options = {}, scope = '') {
      const rows = statement(
        db,
        'SELECT * FROM inventory_history WHERE scope = ? AND player_id = ? ORDER BY id DESC LIMIT ?',
      ).all(scope, playerId, options.limit ?? 100)
      return rows.map((row) => historyFromRow(row, new Date(Number(row.created_at)).toISOString()))
    },
    async lookupPlayers(fields, scope = '') {
      const clauses = lookupClauses(fields, 'sqlite', scope)
      if (!clauses) return []
      const rows = db
        .prepare(`SELECT * FROM players WHERE ${clauses.sql} ORDER BY player_id LIMIT 20`)
        .all(...clauses.values)
      return rows.map((row) => toPlayer(row as Row))
    },
    applyChange: (change) => (tx) => applyChange(change, (sql) => statement(tx.db, sql)),
    recordEvent(tx, event) {
      recordEvent(event, (sql) => statement(tx.db, sql))
    },
    async orderClaims(_game, orderIds) {
      const claims = new Map<string, OrderClaims>()
      const select = statement(db, 'SELECT * FROM order_claims WHERE order_id = ?')
      for (const orderId of new Set(orderIds)) {
        for (const row of select.all(orderId) as Row[]) {
          const claim = claimFromRow(row, Number(row.created_at))
          claims.set(orderId, { ...claims.get(orderId), [claim.kind]: claim })
        }
      }
      return claims
    },
    claimOrder: (claim) => (tx) => {
      claimOrder(claim, (sql) => statement(tx.db, sql))
    },
    async recordReconcileRun(run) {
      await store.transact(({ db: tx }) =>
        statement(
          tx,
          `INSERT INTO reconcile_runs (id, game, trigger, started_at, finished_at, since, until, fix, checked, missing, revoked_missing, fixed, error, result)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(...runValues(run), JSON.stringify(run.result)),
      )
    },
    async reconcileRuns(options = {}) {
      const rows = (
        options.game === undefined
          ? statement(db, 'SELECT * FROM reconcile_runs ORDER BY started_at DESC, id DESC LIMIT ?').all(
              options.limit ?? 20,
            )
          : statement(
              db,
              'SELECT * FROM reconcile_runs WHERE game = ? ORDER BY started_at DESC, id DESC LIMIT ?',
            ).all(options.game, options.limit ?? 20)
      ) as Row[]
      return rows.map((row) => runFromRow(row, Number(row.started_at), Number(row.finished_at)))
    },
    async ping() {
      statement(db, 'SELECT 1').get()
    },
  }
}

function applyChange(change: LedgerChange, statement: (sql: string) => StatementSync): void {
  // An order already granted (or revoked) by the other path changes nothing: the claim and the change commit
  // together, so whichever transaction inserts the claim first is the one that moves the inventory.
  if (change.orderId && !claimOrder(claimOf(change), statement)) return
  const scope = change.scope ?? ''
  const current = statement('SELECT quantity FROM inventory WHERE scope = ? AND player_id = ? AND sku = ?')
  const upsert = statement(
    `INSERT INTO inventory (scope, player_id, sku, quantity, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scope, player_id, sku) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at`,
  )
  const history = statement(
    `INSERT INTO inventory_history (scope, player_id, kind, sku, quantity, applied, shortfall, idempotency_key, event_id, event_type, reason, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  for (const item of change.items) {
    const have = Number((current.get(scope, change.playerId, item.sku) as Row | undefined)?.quantity ?? 0)
    const applied = change.kind === 'grant' ? item.quantity : Math.min(have, item.quantity)
    const next = change.kind === 'grant' ? have + item.quantity : have - applied
    upsert.run(scope, change.playerId, item.sku, next, change.at)
    history.run(
      scope,
      change.playerId,
      change.kind,
      item.sku,
      item.quantity,
      applied,
      item.quantity - applied,
      change.key,
      change.eventId,
      change.eventType,
      change.reason,
      change.at,
    )
  }
}

/** Inserts the claim unless the order has one for that kind; true when this call took it. */
function claimOrder(claim: OrderClaim, statement: (sql: string) => StatementSync): boolean {
  const result = statement(
    `INSERT INTO order_claims (${ORDER_CLAIM_COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id, kind) DO NOTHING`,
  ).run(...orderClaimValues(claim), claim.at)
  return Number(result.changes) === 1
}

function recordEvent(event: RecordedEvent, statement: (sql: string) => StatementSync): void {
  const { leading, data } = eventValues(event)
  statement(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    ...leading,
    event.sandbox ? 1 : 0,
    event.eventTime,
    event.at,
    data,
  )
  const sourceTime = event.modifiedAt ?? event.eventTime
  // Deliveries may arrive out of order: a row only moves forward to a newer (or equally new) source time.
  if (event.eventType.startsWith('order.') && event.orderId) {
    statement(
      `INSERT INTO orders (${ORDER_ROW_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, order_id) DO UPDATE SET player_id = COALESCE(excluded.player_id, orders.player_id),
         status = excluded.status, amount = COALESCE(excluded.amount, orders.amount),
         currency = COALESCE(excluded.currency, orders.currency), last_event_type = excluded.last_event_type,
         source_time = excluded.source_time, updated_at = excluded.updated_at
       WHERE orders.source_time IS NULL OR excluded.source_time IS NULL OR excluded.source_time >= orders.source_time`,
    ).run(...orderRowValues(event, sourceTime, event.at))
  }
  if (event.eventType.startsWith('subscription.') && event.subscriptionId) {
    statement(
      `INSERT INTO subscriptions (${SUBSCRIPTION_ROW_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, subscription_id) DO UPDATE SET player_id = COALESCE(excluded.player_id, subscriptions.player_id),
         sku = COALESCE(excluded.sku, subscriptions.sku), status = excluded.status,
         effective_until = COALESCE(excluded.effective_until, subscriptions.effective_until),
         last_event_type = excluded.last_event_type, source_time = excluded.source_time, updated_at = excluded.updated_at
       WHERE subscriptions.source_time IS NULL OR excluded.source_time IS NULL OR excluded.source_time >= subscriptions.source_time`,
    ).run(...subscriptionRowValues(event, event.effectiveUntil, event.eventTime, event.at))
  }
}

function playerValues(
  playerId: string,
  player: Omit<Player, 'player_id' | 'created_at' | 'updated_at'>,
): SQLInputValue[] {
  return [
    playerId,
    player.name,
    JSON.stringify(player.attributes),
    player.banned ? 1 : 0,
    player.email,
    player.avatar_url,
    player.country,
    JSON.stringify(player.segments),
    JSON.stringify(player.custom_attributes),
  ]
}

function toPlayer(row: Row): Player {
  return {
    player_id: String(row.player_id),
    name: String(row.name),
    attributes: JSON.parse(String(row.attributes)),
    banned: Number(row.banned) === 1,
    email: (row.email as string | null) ?? null,
    avatar_url: (row.avatar_url as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    segments: JSON.parse(String(row.segments)),
    custom_attributes: JSON.parse(String(row.custom_attributes)),
    created_at: new Date(Number(row.created_at)).toISOString(),
    updated_at: new Date(Number(row.updated_at)).toISOString(),
  }
}
