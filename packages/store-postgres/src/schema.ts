import type { PostgresMigration } from './migrate.js'

/** The migration scope of the store's own tables. */
export const STORE_SCOPE = 'aghanim-webhooks/store'

/**
 * The store's own tables (created in the store's schema: migrations run with it first on the search_path).
 * Append only. Times are Unix milliseconds, as the injectable clock gives them. Internal.
 */
export const storeMigrations: readonly PostgresMigration[] = [
  `CREATE TABLE idempotency_keys (
    key text PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('in_progress', 'released', 'completed')),
    token text,
    attempt integer NOT NULL,
    lease_expires_at bigint,
    answer_status integer,
    answer_body text,
    event_type text,
    event_id text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    completed_at bigint
  );
  CREATE INDEX idempotency_keys_settled ON idempotency_keys (updated_at) WHERE state <> 'in_progress';
  CREATE TABLE delivery_log (
    id text PRIMARY KEY,
    received_at bigint NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    headers jsonb NOT NULL,
    body bytea,
    outcome text NOT NULL,
    event_id text,
    event_type text,
    idempotency_key text,
    player_id text,
    status integer NOT NULL,
    response_body text NOT NULL,
    duration_ms double precision NOT NULL,
    attempt integer NOT NULL,
    duplicate boolean NOT NULL,
    replay_of text
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
  // The instance whose attempt holds a claim in progress: its presence lock (see Presence) tells a retry
  // whether that process is still alive, so a claim of a killed instance need not be waited out.
  'ALTER TABLE idempotency_keys ADD COLUMN owner bigint;',
  // Which game a delivery was for and whether it came from its sandbox. Not indexed: a listing by game walks
  // the newest-first index, and every delivery would pay for one more B-tree.
  `ALTER TABLE delivery_log ADD COLUMN game text;
  ALTER TABLE delivery_log ADD COLUMN sandbox boolean NOT NULL DEFAULT false;`,
]
