import {
  ATTEMPT_COLUMNS,
  attemptFromRow,
  DUE_CONDITION,
  entryFromRow,
  type ForwardAttempt,
  type ForwardStore,
  OUTBOX_INSERT_COLUMNS,
  outboxValues,
  redriveWhere,
} from './forward-store.js'

interface Queryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount?: number | null }>
}

interface PostgresTx {
  client: Queryable
}

/** What forward mode needs of the PostgreSQL store: its pool (search_path on the schema). */
export interface PostgresForwardDeps {
  pool: Queryable
}

const DUE = DUE_CONDITION.replaceAll(':now', '$1')

/**
 * Forward mode's tables on PostgreSQL, shared by every instance: a claim takes due rows with
 * `FOR UPDATE SKIP LOCKED` and leases them, so instances never deliver the same entry at once, and a lease that an
 * instance did not settle (it died) expires and the entry is taken again. Internal.
 */
export function createPostgresForwardStore({ pool }: PostgresForwardDeps): ForwardStore<PostgresTx> {
  return {
    async recordAttempts(attempts) {
      if (attempts.length === 0) return
      const column = (key: keyof ForwardAttempt) => attempts.map((attempt) => attempt[key])
      await pool.query(
        `INSERT INTO forward_attempts (delivery_id, via, attempt, route, url, started_at, duration_ms, status, error, answer)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[],
           $7::double precision[], $8::int[], $9::text[], $10::text[])`,
        ATTEMPT_COLUMNS.map(column),
      )
    },
    async attempts(deliveryId) {
      const { rows } = await pool.query('SELECT * FROM forward_attempts WHERE delivery_id = $1 ORDER BY id', [
        deliveryId,
      ])
      return rows.map(attemptFromRow)
    },
    enqueue(entry, now) {
      return async ({ client }) => {
        await client.query(
          `INSERT INTO forward_outbox (${OUTBOX_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (delivery_id) DO NOTHING`,
          outboxValues(entry, now),
        )
      }
    },
    async claimDue(now, leaseUntil, owner, limit) {
      const { rows } = await pool.query(
        `WITH due AS (SELECT o.seq FROM forward_outbox o WHERE ${DUE} ORDER BY o.seq LIMIT $3 FOR UPDATE SKIP LOCKED)
         UPDATE forward_outbox f SET lease_until = $2, lease_owner = $4 FROM due WHERE f.seq = due.seq RETURNING f.*`,
        [now, leaseUntil, limit, owner],
      )
      return rows.map(entryFromRow).sort((a, b) => a.seq - b.seq)
    },
    async settle(seq, owner, result, now) {
      if (result.state === 'delivered') {
        await pool.query('DELETE FROM forward_outbox WHERE seq = $1 AND lease_owner = $2', [seq, owner])
        return
      }
      await pool.query(
        `UPDATE forward_outbox SET state = $1, attempts = attempts + 1, next_at = $2, lease_until = NULL, lease_owner = NULL,
           last_status = $3, last_error = $4, last_answer = $5, dead_at = CASE WHEN $1 = 'dead' THEN $6::bigint ELSE NULL END
         WHERE seq = $7 AND lease_owner = $8`,
        [result.state, result.nextAt, result.status, result.error, result.answer, now, seq, owner],
      )
    },
    async list(state, limit) {
      const { rows } = await pool.query(
        'SELECT * FROM forward_outbox WHERE state = $1 ORDER BY seq LIMIT $2',
        [state, limit],
      )
      return rows.map(entryFromRow)
    },
    async redrive(filter, now) {
      const where = redriveWhere(filter, (index) => `$${index + 1}`)
      if (!where) return 0
      const result = await pool.query(
        `UPDATE forward_outbox SET state = 'pending', attempts = 0, next_at = $1, dead_at = NULL,
           lease_until = NULL, lease_owner = NULL WHERE ${where.sql}`,
        [now, ...where.values],
      )
      return result.rowCount ?? 0
    },
    async counts() {
      const { rows } = await pool.query(
        `SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'dead') AS dead,
           min(received_at) FILTER (WHERE state = 'pending') AS oldest FROM forward_outbox`,
      )
      const row = rows[0]!
      return {
        pending: Number(row.pending),
        dead: Number(row.dead),
        oldestPendingAt: row.oldest === null ? null : Number(row.oldest),
      }
    },
    async pruneAttempts(olderThan) {
      const result = await pool.query('DELETE FROM forward_attempts WHERE started_at < $1', [olderThan])
      return result.rowCount ?? 0
    },
  }
}
