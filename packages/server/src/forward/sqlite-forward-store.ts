import type { DatabaseSync, SQLInputValue } from 'node:sqlite'
import {
  ATTEMPT_COLUMNS,
  attemptFromRow,
  DUE_CONDITION,
  entryFromRow,
  type ForwardStore,
  OUTBOX_INSERT_COLUMNS,
  outboxValues,
  redriveWhere,
} from './forward-store.js'

interface SqliteTx {
  db: DatabaseSync
}

/** What forward mode needs of the SQLite store: its connection and its group-committed transactions. */
export interface SqliteForwardDeps {
  db: DatabaseSync
  transact<T>(work: (tx: SqliteTx) => T): Promise<T>
}

/** Forward mode's tables on the embedded SQLite database; writes join the store's group commit. Internal. */
export function createSqliteForwardStore(store: SqliteForwardDeps): ForwardStore<SqliteTx> {
  const { db } = store
  const insertAttempt = db.prepare(
    `INSERT INTO forward_attempts (delivery_id, via, attempt, route, url, started_at, duration_ms, status, error, answer)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const selectAttempts = db.prepare('SELECT * FROM forward_attempts WHERE delivery_id = ? ORDER BY id')
  const insertEntry = db.prepare(
    `INSERT INTO forward_outbox (${OUTBOX_INSERT_COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING`,
  )
  const claim = db.prepare(
    `UPDATE forward_outbox SET lease_until = :until, lease_owner = :owner
     WHERE seq IN (SELECT o.seq FROM forward_outbox o WHERE ${DUE_CONDITION} ORDER BY o.seq LIMIT :limit)
     RETURNING *`,
  )
  // Read first, outside the group commit: an idle poll then costs a read, not a transaction and its fsync.
  const anyDue = db.prepare(`SELECT 1 FROM forward_outbox o WHERE ${DUE_CONDITION} LIMIT 1`)
  const deliver = db.prepare('DELETE FROM forward_outbox WHERE seq = ? AND lease_owner = ?')
  const reschedule = db.prepare(
    `UPDATE forward_outbox SET state = ?, attempts = attempts + 1, next_at = ?, lease_until = NULL, lease_owner = NULL,
       last_status = ?, last_error = ?, last_answer = ?, dead_at = CASE WHEN ? = 'dead' THEN ? ELSE NULL END
     WHERE seq = ? AND lease_owner = ?`,
  )
  const listState = db.prepare('SELECT * FROM forward_outbox WHERE state = ? ORDER BY seq LIMIT ?')
  const counts = db.prepare(
    `SELECT COALESCE(SUM(state = 'pending'), 0) AS pending, COALESCE(SUM(state = 'dead'), 0) AS dead,
       MIN(CASE WHEN state = 'pending' THEN received_at END) AS oldest FROM forward_outbox`,
  )
  const pruneAttempts = db.prepare('DELETE FROM forward_attempts WHERE started_at < ?')

  return {
    async recordAttempts(attempts) {
      await store.transact(() => {
        for (const a of attempts) {
          insertAttempt.run(...(ATTEMPT_COLUMNS.map((column) => a[column]) as SQLInputValue[]))
        }
      })
    },
    async attempts(deliveryId) {
      return selectAttempts.all(deliveryId).map(attemptFromRow)
    },
    enqueue(entry, now) {
      return () => {
        insertEntry.run(...(outboxValues(entry, now) as SQLInputValue[]))
      }
    },
    async claimDue(now, leaseUntil, owner, limit) {
      if (anyDue.get({ now }) === undefined) return []
      return store.transact(() =>
        claim
          .all({ now, until: leaseUntil, owner, limit })
          .map(entryFromRow)
          .sort((a, b) => a.seq - b.seq),
      )
    },
    async settle(seq, owner, result, now) {
      await store.transact(() => {
        if (result.state === 'delivered') deliver.run(seq, owner)
        else
          reschedule.run(
            result.state,
            result.nextAt,
            result.status,
            result.error,
            result.answer,
            result.state,
            now,
            seq,
            owner,
          )
      })
    },
    async list(state, limit) {
      return listState.all(state, limit).map(entryFromRow)
    },
    redrive(filter, now) {
      const where = redriveWhere(filter, () => '?')
      if (!where) return Promise.resolve(0)
      return store.transact(({ db: tx }) => {
        const sql = `UPDATE forward_outbox SET state = 'pending', attempts = 0, next_at = ?, dead_at = NULL,
          lease_until = NULL, lease_owner = NULL WHERE ${where.sql}`
        return Number(tx.prepare(sql).run(now, ...(where.values as SQLInputValue[])).changes)
      })
    },
    async counts() {
      const row = counts.get() as Record<string, unknown>
      return {
        pending: Number(row.pending),
        dead: Number(row.dead),
        oldestPendingAt: row.oldest === null ? null : Number(row.oldest),
      }
    },
    pruneAttempts: (olderThan) => store.transact(() => Number(pruneAttempts.run(olderThan).changes)),
  }
}
