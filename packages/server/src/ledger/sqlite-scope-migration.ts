import type { DatabaseSync } from 'node:sqlite'

/** The tables whose primary key gains the scope, with their columns after it (SQLite rebuilds them). */
const REKEYED: Record<string, { columns: string; key: string }> = {
  players: {
    columns: `player_id TEXT NOT NULL,
    name TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    banned INTEGER NOT NULL DEFAULT 0,
    email TEXT,
    avatar_url TEXT,
    country TEXT,
    segments TEXT NOT NULL DEFAULT '[]',
    custom_attributes TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL`,
    key: 'scope, player_id',
  },
  inventory: {
    columns: `player_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at INTEGER NOT NULL`,
    key: 'scope, player_id, sku',
  },
  orders: {
    columns: `order_id TEXT NOT NULL,
    player_id TEXT,
    status TEXT,
    amount INTEGER,
    currency TEXT,
    last_event_type TEXT NOT NULL,
    source_time INTEGER,
    updated_at INTEGER NOT NULL`,
    key: 'scope, order_id',
  },
  subscriptions: {
    columns: `subscription_id TEXT NOT NULL,
    player_id TEXT,
    sku TEXT,
    status TEXT,
    effective_until INTEGER,
    last_event_type TEXT NOT NULL,
    source_time INTEGER,
    updated_at INTEGER NOT NULL`,
    key: 'scope, subscription_id',
  },
}

/** Tables that only gain the column, and the indexes that lead with it now. */
const WIDENED = ['inventory_history', 'events']
const INDEXES = [
  'DROP INDEX IF EXISTS inventory_history_player',
  'CREATE INDEX inventory_history_player ON inventory_history (scope, player_id, id)',
  'DROP INDEX IF EXISTS events_player',
  'CREATE INDEX events_player ON events (scope, player_id, received_at)',
  'DROP INDEX IF EXISTS events_order',
  'CREATE INDEX events_order ON events (scope, order_id)',
]

const LOOKUP_VALUE = `CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(value AS TEXT) END`
const LOOKUP_WHERE = `type IN ('text', 'integer', 'real', 'true', 'false') AND length(CAST(value AS TEXT)) <= 256`

/** player.lookup's index, by scope, and the triggers that keep it (a player moving scope moves its rows). */
const LOOKUP = `DROP TRIGGER IF EXISTS players_lookup_insert;
  DROP TRIGGER IF EXISTS players_lookup_update;
  DROP TRIGGER IF EXISTS players_lookup_delete;
  DROP TABLE IF EXISTS player_lookup;
  CREATE TABLE player_lookup (
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    player_id TEXT NOT NULL,
    PRIMARY KEY (scope, name, value, player_id)
  ) WITHOUT ROWID;
  CREATE INDEX player_lookup_player ON player_lookup (scope, player_id);
  CREATE TRIGGER players_lookup_insert AFTER INSERT ON players BEGIN
    INSERT INTO player_lookup (scope, name, value, player_id)
      SELECT NEW.scope, key, ${LOOKUP_VALUE}, NEW.player_id FROM json_each(NEW.custom_attributes) WHERE ${LOOKUP_WHERE};
  END;
  CREATE TRIGGER players_lookup_update AFTER UPDATE OF scope, player_id, custom_attributes ON players BEGIN
    DELETE FROM player_lookup WHERE scope = OLD.scope AND player_id = OLD.player_id;
    INSERT INTO player_lookup (scope, name, value, player_id)
      SELECT NEW.scope, key, ${LOOKUP_VALUE}, NEW.player_id FROM json_each(NEW.custom_attributes) WHERE ${LOOKUP_WHERE};
  END;
  CREATE TRIGGER players_lookup_delete AFTER DELETE ON players BEGIN
    DELETE FROM player_lookup WHERE scope = OLD.scope AND player_id = OLD.player_id;
  END;
  INSERT INTO player_lookup (scope, name, value, player_id)
    SELECT p.scope, key, ${LOOKUP_VALUE}, p.player_id FROM players AS p, json_each(p.custom_attributes) WHERE ${LOOKUP_WHERE};
  CREATE TABLE IF NOT EXISTS ledger_owner (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    game TEXT NOT NULL,
    named_at INTEGER NOT NULL
  );`

/**
 * Several games and the sandbox: every ledger row gains a `scope` (a game's live or sandbox ledger), the primary
 * keys and indexes lead with it, and `ledger_owner` remembers which game the unnamed ledger was moved into.
 * What is there becomes the unnamed game's (`''`); the server moves it into the first named game when one is
 * configured. SQLite cannot change a primary key in place, so those tables are copied into new ones (once: a
 * table that has the column already is left as it is). Internal.
 */
export function scopeLedgerSqlite(db: DatabaseSync): void {
  const scoped = (table: string) =>
    db.prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = 'scope'").get(table) !== undefined
  // The triggers name players; they are made again below, after the copy.
  db.exec(`DROP TRIGGER IF EXISTS players_lookup_insert;
    DROP TRIGGER IF EXISTS players_lookup_update;
    DROP TRIGGER IF EXISTS players_lookup_delete;`)
  for (const [table, { columns, key }] of Object.entries(REKEYED)) {
    if (scoped(table)) continue
    const names = columns
      .split(',\n')
      .map((line) => line.trim().split(' ')[0])
      .join(', ')
    db.exec(`CREATE TABLE ${table}_scoped (
      scope TEXT NOT NULL DEFAULT '',
      ${columns},
      PRIMARY KEY (${key})
    );
    INSERT INTO ${table}_scoped (${names}) SELECT ${names} FROM ${table};
    DROP TABLE ${table};
    ALTER TABLE ${table}_scoped RENAME TO ${table};`)
  }
  for (const table of WIDENED)
    if (!scoped(table)) db.exec(`ALTER TABLE ${table} ADD COLUMN scope TEXT NOT NULL DEFAULT ''`)
  db.exec(`${INDEXES.join(';\n')};\n${LOOKUP}`)
}
