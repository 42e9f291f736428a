/**
 * Forward mode's tables, appended to the ledger's migration lists: the attempts made for each delivery (by its
 * delivery id, apart from the delivery log) and the outbox of notifications still to deliver. Times are Unix ms.
 * A delivered entry leaves the outbox; its attempts stay. Internal.
 */
export const forwardSqliteMigrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS forward_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('sync', 'outbox')),
    attempt INTEGER NOT NULL,
    route TEXT NOT NULL,
    url TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    status INTEGER,
    error TEXT,
    answer TEXT
  );
  CREATE INDEX IF NOT EXISTS forward_attempts_delivery ON forward_attempts (delivery_id, id);
  CREATE INDEX IF NOT EXISTS forward_attempts_started ON forward_attempts (started_at);
  CREATE TABLE IF NOT EXISTS forward_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    event_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    player_id TEXT,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    lease_until INTEGER,
    lease_owner TEXT,
    last_status INTEGER,
    last_error TEXT,
    last_answer TEXT,
    dead_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS forward_outbox_due ON forward_outbox (state, next_at);
  CREATE INDEX IF NOT EXISTS forward_outbox_player ON forward_outbox (player_id, seq);`,
]

export const forwardPostgresMigrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS forward_attempts (
    id bigserial PRIMARY KEY,
    delivery_id text NOT NULL,
    via text NOT NULL CHECK (via IN ('sync', 'outbox')),
    attempt integer NOT NULL,
    route text NOT NULL,
    url text NOT NULL,
    started_at bigint NOT NULL,
    duration_ms double precision NOT NULL,
    status integer,
    error text,
    answer text
  );
  CREATE INDEX IF NOT EXISTS forward_attempts_delivery ON forward_attempts (delivery_id, id);
  CREATE INDEX IF NOT EXISTS forward_attempts_started ON forward_attempts (started_at);
  CREATE TABLE IF NOT EXISTS forward_outbox (
    seq bigserial PRIMARY KEY,
    delivery_id text NOT NULL UNIQUE,
    event_type text NOT NULL,
    event_id text NOT NULL,
    idempotency_key text NOT NULL,
    player_id text,
    body bytea NOT NULL,
    received_at bigint NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_at bigint NOT NULL,
    lease_until bigint,
    lease_owner text,
    last_status integer,
    last_error text,
    last_answer text,
    dead_at bigint
  );
  CREATE INDEX IF NOT EXISTS forward_outbox_due ON forward_outbox (state, next_at);
  CREATE INDEX IF NOT EXISTS forward_outbox_player ON forward_outbox (player_id, seq);`,
]
