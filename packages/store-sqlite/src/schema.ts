import type { SqliteMigration } from './migrate.js'

/** The migration scope of the store's own tables. */
export const STORE_SCOPE = 'aghanim-webhooks/store'

/** The store's own tables. Append only (see `migrate`). Times are Unix milliseconds. Internal. */
export const storeMigrations: readonly SqliteMigration[] = [
  `CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'released', 'completed')),
    token TEXT,
    attempt INTEGER NOT NULL,
    lease_expires_at INTEGER,
    answer_status INTEGER,
    answer_body TEXT,
    event_type TEXT,
    event_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    completed_at INTEGER
  );
  CREATE INDEX idempotency_keys_settled ON idempotency_keys (updated_at) WHERE state <> 'in_progress';
  CREATE TABLE delivery_log (
    id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB,
    outcome TEXT NOT NULL,
    event_id TEXT,
    event_type TEXT,
    idempotency_key TEXT,
    player_id TEXT,
    status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    attempt INTEGER NOT NULL,
    duplicate INTEGER NOT NULL,
    replay_of TEXT
  );
  CREATE INDEX delivery_log_received ON delivery_log (received_at, id);
  CREATE INDEX delivery_log_event_type ON delivery_log (event_type, received_at, id);
  CREATE INDEX delivery_log_outcome ON delivery_log (outcome, received_at, id);
  CREATE INDEX delivery_log_status ON delivery_log (status, received_at, id);
  CREATE INDEX delivery_log_key ON delivery_log (idempotency_key, received_at, id);
  CREATE INDEX delivery_log_player ON delivery_log (player_id, received_at, id);
  CREATE INDEX delivery_log_replay_of ON delivery_log (replay_of, received_at, id);`,
  // Decision events (player.verify, store.get…) have no idempotency key and almost nothing is a replay: their
  // NULLs need no index entry. Queries only ever ask for equality, which implies NOT NULL, so the partial
  // indexes still serve them, and a decision event's log row maintains two B-trees fewer.
  `DROP INDEX delivery_log_key;
  CREATE INDEX delivery_log_key ON delivery_log (idempotency_key, received_at, id) WHERE idempotency_key IS NOT NULL;
  DROP INDEX delivery_log_replay_of;
  CREATE INDEX delivery_log_replay_of ON delivery_log (replay_of, received_at, id) WHERE replay_of IS NOT NULL;`,
  // Which game a delivery was for and whether it came from its sandbox. Not indexed: a listing by game walks
  // the newest-first index, and every delivery would pay for one more B-tree.
  `ALTER TABLE delivery_log ADD COLUMN game TEXT;
  ALTER TABLE delivery_log ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0;`,
]
