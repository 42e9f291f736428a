import { completionStatement } from '@aghanim-webhooks/store-postgres'
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
import { createKnownPlayers } from './player-cache.js'
import { historyFromRow, lookupClauses, mergePlayer } from './player-rows.js'
import {
  EVENT_COLUMNS,
  eventValues,
  ORDER_ROW_COLUMNS,
  orderRowValues,
  SUBSCRIPTION_ROW_COLUMNS,
  subscriptionRowValues,
} from './recorded-event.js'

/** A statement node-pg prepares once per connection under `name` (see `PLAYER_BY_ID`). */
interface NamedQuery {
  name: string
  text: string
  values: unknown[]
}

/** What the ledger needs from `pg`: a pool or a client that runs parameterised queries. */
export interface Queryable {
  query(text: string | NamedQuery, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
}

/**
 * The player read of every player.verify and item.add, as a named statement: PostgreSQL parses and plans it
 * once per connection (node-pg prepares it again on a connection that replaced a lost one). The columns are
 * named, not `*`: a prepared `SELECT *` fails ("cached plan must not change result type") once a migration
 * of another instance adds a column.
 */
const PLAYER_BY_ID = {
  name: 'awh_ledger_player',
  text: `SELECT player_id, name, attributes, banned, email, avatar_url, country, segments, custom_attributes,
    created_at, updated_at FROM players WHERE scope = $1 AND player_id = $2`,
}

/** The PostgreSQL store's transaction handle: work items get the client holding the open transaction. */
export interface PostgresTx {
  client: Queryable
}

/** What the ledger needs from the PostgreSQL store: its pool (search_path on the schema) and transactions. */
export interface PostgresLedgerStore {
  pool: Queryable
  transact<T>(work: (tx: PostgresTx) => Promise<T>): Promise<T>
}

/**
 * The ledger on PostgreSQL. Tables live in the store's schema (the pool's `search_path`); each inventory change is
 * one atomic statement on the row, so concurrent grants and revokes for one player and SKU on many instances
 * serialise on its row lock and never lose an update.
 *
 * @example const ledger = createPostgresLedger(await openPostgresStore({ connectionString })); await ledger.getPlayer('p1')
 */
export function createPostgresLedger(
  store: PostgresLedgerStore,
  now: () => number = Date.now,
): Ledger<PostgresTx> {
  const { pool } = store
  const known = createKnownPlayers()
  const readPlayer = async (playerId: string, scope: string) => {
    const row = (await pool.query({ ...PLAYER_BY_ID, values: [scope, playerId] })).rows[0]
    if (row) known.add(playerId, scope)
    return row
  }

  return {
    kind: 'postgres',
    async getPlayer(playerId, scope = '') {
      const row = await readPlayer(playerId, scope)
      return row ? toPlayer(row) : undefined
    },
    async hasPlayer(playerId, scope = '') {
      return known.has(playerId, scope) || (await readPlayer(playerId, scope)) !== undefined
    },
    async upsertPlayer(playerId, input, scope = '') {
      const at = new Date(now())
      // Lock (or create) the row first, so two concurrent partial updates cannot lose a field.
      return store.transact(async ({ client }) => {
        await client.query(
          `INSERT INTO players (scope, player_id, name, created_at, updated_at) VALUES ($3, $1, $1, $2, $2) ON CONFLICT (scope, player_id) DO NOTHING`,
          [playerId, at, scope],
        )
        const { rows: locked } = await client.query(
          'SELECT * FROM players WHERE scope = $1 AND player_id = $2 FOR UPDATE',
          [scope, playerId],
        )
        // A row just created holds the defaults mergePlayer would start from (name = id, empty fields).
        const player = mergePlayer(playerId, toPlayer(locked[0]!), input)
        const { rows } = await client.query(
          `UPDATE players SET name = $2, attributes = $3, banned = $4, email = $5, avatar_url = $6, country = $7,
             segments = $8, custom_attributes = $9, updated_at = $10
           WHERE scope = $11 AND player_id = $1 RETURNING *`,
          [
            playerId,
            player.name,
            JSON.stringify(player.attributes),
            player.banned,
            player.email,
            player.avatar_url,
            player.country,
            JSON.stringify(player.segments),
            JSON.stringify(player.custom_attributes),
            at,
            scope,
          ],
        )
        return toPlayer(rows[0]!)
      })
    },
    async inventory(playerId, scope = '') {
      const { rows } = await pool.query(
        'SELECT sku, quantity FROM inventory WHERE scope = $1 AND player_id = $2 AND quantity > 0 ORDER BY sku',
        [scope, playerId],
      )
      return rows.map((row) => ({ sku: String(row.sku), quantity: Number(row.quantity) }))
    },
    async history(playerId, options = {}, scope = '') {
      const { rows } = await pool.query(
        'SELECT * FROM inventory_history WHERE scope = $1 AND player_id = $2 ORDER BY id DESC LIMIT $3',
        [scope, playerId, options.limit ?? 100],
      )
      return rows.map((row) => historyFromRow(row, iso(row.created_at)))
    },
    async lookupPlayers(fields, scope = '') {
      const clauses = lookupClauses(fields, 'postgres', scope)
      if (!clauses) return []
      const { rows } = await pool.query(
        `SELECT * FROM players WHERE ${clauses.sql} ORDER BY player_id LIMIT 20`,
        clauses.values,
      )
      return rows.map(toPlayer)
    },
    applyChange: (change) => changeWork(change),
    recordEvent: (tx, event) => recordEvent(tx.client, event),
    async orderClaims(_game, orderIds) {
      const claims = new Map<string, OrderClaims>()
      if (orderIds.length === 0) return claims
      const { rows } = await pool.query('SELECT * FROM order_claims WHERE order_id = ANY($1::text[])', [
        [...new Set(orderIds)],
      ])
      for (const row of rows) {
        const claim = claimFromRow(row, new Date(String(iso(row.created_at))).getTime())
        claims.set(claim.orderId, { ...claims.get(claim.orderId), [claim.kind]: claim })
      }
      return claims
    },
    claimOrder: (claim) => completionStatement(`claim AS (${claimInsert(0)})`, claimParams(claim)),
    async recordReconcileRun(run) {
      const values = runValues(run)
      values[3] = new Date(run.startedAt).toISOString() as never
      values[4] = new Date(run.finishedAt).toISOString() as never
      await pool.query(
        `INSERT INTO reconcile_runs (id, game, trigger, started_at, finished_at, since, until, fix, checked, missing, revoked_missing, fixed, error, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8 = 1, $9, $10, $11, $12, $13, $14)`,
        [...values, JSON.stringify(run.result)],
      )
    },
    async reconcileRuns(options = {}) {
      const { rows } = await pool.query(
        `SELECT * FROM reconcile_runs WHERE $1::text IS NULL OR game = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
        [options.game ?? null, options.limit ?? 20],
      )
      return rows.map((row) =>
        runFromRow(row, Date.parse(iso(row.started_at)), Date.parse(iso(row.finished_at))),
      )
    },
    async ping() {
      await pool.query('SELECT 1')
    },
  }
}

/**
 * One statement for the whole change: per item, the inventory row's change and its history row, as common
 * table expressions the completion runs in its own statement. Two lines of one SKU would change its row twice
 * in one statement, which PostgreSQL does not allow: such a change runs a statement per line instead.
 */
function changeWork(change: LedgerChange): (tx: PostgresTx) => Promise<void> {
  const skus = change.items.map((item) => item.sku)
  if (new Set(skus).size !== skus.length) {
    const perLine = change.items.map((item) => changeWork({ ...change, orderId: null, items: [item] }))
    const claim = change.orderId ? claimOf(change) : undefined
    return async (tx) => {
      if (claim) {
        const { rows } = await tx.client.query(
          `WITH completed AS (SELECT 1) ${claimInsert(0)} RETURNING 1`,
          claimParams(claim),
        )
        if (rows.length === 0) return
      }
      for (const line of perLine) await line(tx)
    }
  }
  // $1 player, $2 time, $3 kind, $4 key, $5 event id, $6 event type, $7 reason, $8 scope; then the order
  // claim's values, if any; then each item's sku and quantity.
  const values: unknown[] = [
    change.playerId,
    new Date(change.at),
    change.kind,
    change.key,
    change.eventId,
    change.eventType,
    change.reason,
    change.scope ?? '',
  ]
  // A change tied to an order acts only when its claim on the order was inserted in this statement: the order
  // already granted (or revoked) by the other path leaves everything unchanged.
  const claim = change.orderId ? claimOf(change) : undefined
  if (claim) values.push(...claimParams(claim))
  for (const item of change.items) values.push(item.sku, item.quantity)
  return completionStatement(changeSql(change.kind, claim !== undefined, change.items.length), values)
}

/** Texts of `changeSql` kept, by shape: a grant of one item is the same statement every time. */
const changeTexts = new Map<string, string>()
const MAX_CHANGE_TEXTS = 64

/**
 * The change's common table expressions, which depend only on its kind, whether an order claim gates it and
 * how many items it has: built once per shape, so each grant reuses one string (and one prepared statement).
 */
function changeSql(kind: LedgerChange['kind'], claimed: boolean, items: number): string {
  const shape = `${kind}:${claimed}:${items}`
  const known = changeTexts.get(shape)
  if (known !== undefined) return known
  const gate = claimed ? 'claim' : 'completed'
  const claimCte = claimed ? [`claim AS (${claimInsert(8)} RETURNING 1)`] : []
  const first = 8 + (claimed ? CLAIM_PARAMS : 0)
  const lines = Array.from({ length: items }, (_, index) => ({
    sku: `$${first + 2 * index + 1}::text`,
    quantity: `$${first + 2 * index + 2}::bigint`,
  }))
  const applied = lines.map(({ sku, quantity }, index) => {
    const statement =
      kind === 'grant'
        ? `INSERT INTO inventory AS i (scope, player_id, sku, quantity, updated_at)
             SELECT $8::text, $1::text, ${sku}, ${quantity}, $2::timestamptz WHERE EXISTS (SELECT 1 FROM ${gate})
           ON CONFLICT (scope, player_id, sku) DO UPDATE SET quantity = i.quantity + excluded.quantity, updated_at = excluded.updated_at
           RETURNING ${quantity} AS quantity`
        : `UPDATE inventory AS i SET quantity = GREATEST(i.quantity - ${quantity}, 0), updated_at = $2::timestamptz
           FROM (SELECT quantity FROM inventory WHERE scope = $8::text AND player_id = $1::text AND sku = ${sku} FOR UPDATE) AS before
           WHERE i.scope = $8::text AND i.player_id = $1::text AND i.sku = ${sku} AND EXISTS (SELECT 1 FROM ${gate})
           RETURNING LEAST(before.quantity, ${quantity}) AS quantity`
    return `applied_${index} AS (${statement})`
  })
  // One history insert for every line, ordered: the rows' ids keep the order of the event's items.
  const rows = lines.map(
    ({ sku, quantity }, index) =>
      `(${index}, ${sku}, ${quantity}, COALESCE((SELECT quantity FROM applied_${index}), 0))`,
  )
  const history = `history AS (
    INSERT INTO inventory_history (scope, player_id, kind, sku, quantity, applied, shortfall, idempotency_key, event_id, event_type, reason, created_at)
    SELECT $8::text, $1::text, $3::text, line.sku, line.quantity, line.applied, line.quantity - line.applied,
      $4::text, $5::text, $6::text, $7::text, $2::timestamptz
    FROM (VALUES ${rows.join(', ')}) AS line (n, sku, quantity, applied)
    WHERE EXISTS (SELECT 1 FROM ${gate})
    ORDER BY line.n
  )`
  const sql = [...claimCte, ...applied, history].join(',\n')
  if (changeTexts.size < MAX_CHANGE_TEXTS) changeTexts.set(shape, sql)
  return sql
}

/** How many values an order claim's INSERT takes (`claimParams`). */
const CLAIM_PARAMS = 8

/**
 * The claim's INSERT (no RETURNING), its values (`claimParams`) after the first `base` of the statement's. It
 * acts only inside a completion that still holds its key.
 */
function claimInsert(base: number): string {
  const p = (n: number) => `$${base + n}`
  return `INSERT INTO order_claims (${ORDER_CLAIM_COLUMNS})
    SELECT ${p(1)}::text, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::text, ${p(7)}::text, ${p(8)}::timestamptz
    WHERE EXISTS (SELECT 1 FROM completed)
    ON CONFLICT (order_id, kind) DO NOTHING`
}

function claimParams(claim: OrderClaim): unknown[] {
  return [...orderClaimValues(claim), new Date(claim.at)]
}

const seconds = (value: number | null) => (value === null ? null : new Date(value * 1000))

async function recordEvent(client: Queryable, event: RecordedEvent): Promise<void> {
  const at = new Date(event.at)
  const { leading, data } = eventValues(event)
  await client.query(
    `INSERT INTO events (${EVENT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [...leading, event.sandbox, seconds(event.eventTime), at, data],
  )
  const sourceTime = seconds(event.modifiedAt ?? event.eventTime)
  // Deliveries may arrive out of order: a row only moves forward to a newer (or equally new) source time.
  if (event.eventType.startsWith('order.') && event.orderId) {
    await client.query(
      `INSERT INTO orders AS o (${ORDER_ROW_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (scope, order_id) DO UPDATE SET player_id = COALESCE(excluded.player_id, o.player_id),
         status = excluded.status, amount = COALESCE(excluded.amount, o.amount),
         currency = COALESCE(excluded.currency, o.currency), last_event_type = excluded.last_event_type,
         source_time = excluded.source_time, updated_at = excluded.updated_at
       WHERE o.source_time IS NULL OR excluded.source_time IS NULL OR excluded.source_time >= o.source_time`,
      orderRowValues(event, sourceTime, at),
    )
  }
  if (event.eventType.startsWith('subscription.') && event.subscriptionId) {
    await client.query(
      `INSERT INTO subscriptions AS s (${SUBSCRIPTION_ROW_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (scope, subscription_id) DO UPDATE SET player_id = COALESCE(excluded.player_id, s.player_id),
         sku = COALESCE(excluded.sku, s.sku), status = excluded.status,
         effective_until = COALESCE(excluded.effective_until, s.effective_until),
         last_event_type = excluded.last_event_type, source_time = excluded.source_time, updated_at = excluded.updated_at
       WHERE s.source_time IS NULL OR excluded.source_time IS NULL OR excluded.source_time >= s.source_time`,
      subscriptionRowValues(event, seconds(event.effectiveUntil), seconds(event.eventTime), at),
    )
  }
}

const iso = (value: unknown) => (value instanceof Date ? value : new Date(String(value))).toISOString()

function toPlayer(row: Record<string, unknown>): Player {
  return {
    player_id: String(row.player_id),
    name: String(row.name),
    attributes: (row.attributes ?? {}) as Record<string, unknown>,
    banned: row.banned === true,
    email: (row.email as string | null) ?? null,
    avatar_url: (row.avatar_url as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    segments: (row.segments ?? []) as string[],
    custom_attributes: (row.custom_attributes ?? {}) as Record<string, unknown>,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }
}
