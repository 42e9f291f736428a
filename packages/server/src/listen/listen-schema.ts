/**
 * The answers `aghanim-webhooks listen` reported from developers' laptops, by delivery id (apart from the delivery
 * log, like forward mode's attempts): which listener, where it sent the delivery, what came back. Times are Unix ms.
 * Appended to the ledger's migration lists. Internal.
 */
export const listenSqliteMigrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS listen_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('mirror', 'tunnel')),
    listener TEXT NOT NULL,
    target TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    status INTEGER,
    error TEXT,
    answer TEXT
  );
  CREATE INDEX IF NOT EXISTS listen_answers_delivery ON listen_answers (delivery_id, id);
  CREATE INDEX IF NOT EXISTS listen_answers_started ON listen_answers (started_at);`,
]

export const listenPostgresMigrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS listen_answers (
    id bigserial PRIMARY KEY,
    delivery_id text NOT NULL,
    mode text NOT NULL CHECK (mode IN ('mirror', 'tunnel')),
    listener text NOT NULL,
    target text NOT NULL,
    started_at bigint NOT NULL,
    duration_ms double precision NOT NULL,
    status integer,
    error text,
    answer text
  );
  CREATE INDEX IF NOT EXISTS listen_answers_delivery ON listen_answers (delivery_id, id);
  CREATE INDEX IF NOT EXISTS listen_answers_started ON listen_answers (started_at);`,
]
