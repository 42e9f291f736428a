import type { SqliteMigration } from '@aghanim-webhooks/store-sqlite'
import { forwardSqliteMigrations } from '../forward/forward-schema.js'
import { listenSqliteMigrations } from '../listen/listen-schema.js'
import { scopeLedgerSqlite } from './sqlite-scope-migration.js'

/**
 * The ledger's SQLite tables, applied through the store's migration system (numbered, once, in a transaction).
 * Times the server writes are Unix milliseconds; times Aghanim sends (`event_time`, `effective_until`,
 * `modified_at`) stay Unix seconds, as sent. Internal.
 */
export const sqliteLedgerMigrations: readonly SqliteMigration[] = [
  `CREATE TABLE players (
    player_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    banned INTEGER NOT NULL DEFAULT 0,
    email TEXT,
    avatar_url TEXT,
    country TEXT,
    segments TEXT NOT NULL DEFAULT '[]',
    custom_attributes TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE inventory (
    player_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (player_id, sku)
  );
  CREATE TABLE inventory_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    player_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'revoke')),
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    applied INTEGER NOT NULL,
    shortfall INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT,
    event_id TEXT,
    event_type TEXT,
    reason TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX inventory_history_player ON inventory_history (player_id, id);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    idempotency_key TEXT,
    player_id TEXT,
    order_id TEXT,
    payment_id TEXT,
    subscription_id TEXT,
    status TEXT,
    amount INTEGER,
    currency TEXT,
    sandbox INTEGER NOT NULL DEFAULT 0,
    event_time INTEGER,
    received_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX events_type_received ON events (event_type, received_at);
  CREATE INDEX events_player ON events (player_id, received_at);
  CREATE INDEX events_order ON events (order_id);
  CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    player_id TEXT,
    status TEXT,
    amount INTEGER,
    currency TEXT,
    last_event_type TEXT NOT NULL,
    source_time INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE subscriptions (
    subscription_id TEXT PRIMARY KEY,
    player_id TEXT,
    sku TEXT,
    status TEXT,
    effective_until INTEGER,
    last_event_type TEXT NOT NULL,
    source_time INTEGER,
    updated_at INTEGER NOT NULL
  );`,
  // Per-minute delivery counts for the inspector's chart, kept as deliveries are logged; filled once from the
  // delivery log that exists when this migration runs.
  `CREATE TABLE delivery_stats (
    minute INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (minute, outcome)
  ) WITHOUT ROWID;
  INSERT INTO delivery_stats (minute, outcome, count)
    SELECT CAST(received_at / 60000 AS INTEGER) * 60000, outcome, count(*) FROM delivery_log GROUP BY 1, 2;`,
  // player.lookup's index: one row per scalar custom attribute (its value as text, as a lookup compares it),
  // kept by triggers on every write to players, filled once from the players already there. Without it a
  // lookup read every player's JSON on the event loop, a cost that grew with the number of players.
  `CREATE TABLE player_lookup (
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    player_id TEXT NOT NULL,
    PRIMARY KEY (name, value, player_id)
  ) WITHOUT ROWID;
  CREATE INDEX player_lookup_player ON player_lookup (player_id);
  CREATE TRIGGER players_lookup_insert AFTER INSERT ON players BEGIN
    INSERT INTO player_lookup (name, value, player_id)
      SELECT key, CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(value AS TEXT) END, NEW.player_id
      FROM json_each(NEW.custom_attributes)
      WHERE type IN ('text', 'integer', 'real', 'true', 'false') AND length(CAST(value AS TEXT)) <= 256;
  END;
  CREATE TRIGGER players_lookup_update AFTER UPDATE OF player_id, custom_attributes ON players BEGIN
    DELETE FROM player_lookup WHERE player_id = OLD.player_id;
    INSERT INTO player_lookup (name, value, player_id)
      SELECT key, CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(value AS TEXT) END, NEW.player_id
      FROM json_each(NEW.custom_attributes)
      WHERE type IN ('text', 'integer', 'real', 'true', 'false') AND length(CAST(value AS TEXT)) <= 256;
  END;
  CREATE TRIGGER players_lookup_delete AFTER DELETE ON players BEGIN
    DELETE FROM player_lookup WHERE player_id = OLD.player_id;
  END;
  INSERT INTO player_lookup (name, value, player_id)
    SELECT j.key, CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.value AS TEXT) END, p.player_id
    FROM players AS p, json_each(p.custom_attributes) AS j
    WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND length(CAST(j.value AS TEXT)) <= 256;`,
  // Forward mode (docs/forward.md): its own tables, created whether or not it is switched on.
  ...forwardSqliteMigrations,
  // Several games and the sandbox (docs/server.md#several-games): every ledger row belongs to a scope.
  scopeLedgerSqlite,
  // `aghanim-webhooks listen` (docs/cli.md): the answers reported from developers' laptops.
  ...listenSqliteMigrations,
  // Reconciliation (docs/reconcile.md): one claim per order and kind, which every grant or revoke tied to an
  // order takes in its own transaction; filled from the grants already recorded with Aghanim's reasons. Written
  // to run again harmlessly.
  `CREATE TABLE IF NOT EXISTS order_claims (
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'revoke')),
    game TEXT NOT NULL DEFAULT '',
    player_id TEXT NOT NULL,
    source TEXT NOT NULL,
    event_id TEXT,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (order_id, kind)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO order_claims (order_id, kind, game, player_id, source, event_id, idempotency_key, created_at)
    SELECT substr(reason, 12), kind, scope, player_id, 'webhook', event_id, idempotency_key, created_at
    FROM inventory_history WHERE kind = 'grant' AND reason LIKE 'Order paid ord\\_%' ESCAPE '\\'
    ORDER BY id;
  INSERT OR IGNORE INTO order_claims (order_id, kind, game, player_id, source, event_id, idempotency_key, created_at)
    SELECT substr(reason, 16), kind, scope, player_id, 'webhook', event_id, idempotency_key, created_at
    FROM inventory_history WHERE kind = 'revoke' AND reason LIKE 'Order refunded ord\\_%' ESCAPE '\\'
    ORDER BY id;
  CREATE TABLE IF NOT EXISTS reconcile_runs (
    id TEXT PRIMARY KEY,
    game TEXT NOT NULL,
    trigger TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER NOT NULL,
    fix INTEGER NOT NULL,
    checked INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    revoked_missing INTEGER NOT NULL,
    fixed INTEGER NOT NULL,
    error TEXT,
    result TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS reconcile_runs_started ON reconcile_runs (started_at);`,
]
