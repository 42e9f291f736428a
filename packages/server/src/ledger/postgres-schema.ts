import { forwardPostgresMigrations } from '../forward/forward-schema.js'
import { listenPostgresMigrations } from '../listen/listen-schema.js'

/**
 * The ledger's PostgreSQL tables (created inside the configured schema by the store's migration system).
 * Server-written times are `timestamptz`; Aghanim's own times (`event_time`, `effective_until`, `modified_at`)
 * are converted from Unix seconds to `timestamptz` so studios can query them with SQL dates. Internal.
 */
export const postgresLedgerMigrations: readonly string[] = [
  `CREATE TABLE players (
    player_id text PRIMARY KEY,
    name text NOT NULL,
    attributes jsonb NOT NULL DEFAULT '{}',
    banned boolean NOT NULL DEFAULT false,
    email text,
    avatar_url text,
    country text,
    segments jsonb NOT NULL DEFAULT '[]',
    custom_attributes jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE TABLE inventory (
    player_id text NOT NULL,
    sku text NOT NULL,
    quantity bigint NOT NULL CHECK (quantity >= 0),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (player_id, sku)
  );
  CREATE TABLE inventory_history (
    id bigserial PRIMARY KEY,
    player_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('grant', 'revoke')),
    sku text NOT NULL,
    quantity bigint NOT NULL,
    applied bigint NOT NULL,
    shortfall bigint NOT NULL DEFAULT 0,
    idempotency_key text,
    event_id text,
    event_type text,
    reason text,
    created_at timestamptz NOT NULL
  );
  CREATE INDEX inventory_history_player ON inventory_history (player_id, id);
  CREATE TABLE events (
    id bigserial PRIMARY KEY,
    event_id text NOT NULL,
    event_type text NOT NULL,
    idempotency_key text,
    player_id text,
    order_id text,
    payment_id text,
    subscription_id text,
    status text,
    amount bigint,
    currency text,
    sandbox boolean NOT NULL DEFAULT false,
    event_time timestamptz,
    received_at timestamptz NOT NULL,
    data jsonb NOT NULL
  );
  CREATE INDEX events_type_received ON events (event_type, received_at);
  CREATE INDEX events_player ON events (player_id, received_at);
  CREATE INDEX events_order ON events (order_id);
  CREATE TABLE orders (
    order_id text PRIMARY KEY,
    player_id text,
    status text,
    amount bigint,
    currency text,
    last_event_type text NOT NULL,
    source_time timestamptz,
    updated_at timestamptz NOT NULL
  );
  CREATE TABLE subscriptions (
    subscription_id text PRIMARY KEY,
    player_id text,
    sku text,
    status text,
    effective_until timestamptz,
    last_event_type text NOT NULL,
    source_time timestamptz,
    updated_at timestamptz NOT NULL
  );`,
  // Per-minute delivery counts for the inspector's chart, kept as deliveries are logged; filled once from the
  // delivery log that exists when this migration runs.
  `CREATE TABLE delivery_stats (
    minute bigint NOT NULL,
    outcome text NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (minute, outcome)
  );
  INSERT INTO delivery_stats (minute, outcome, count)
    SELECT (received_at / 60000) * 60000, outcome, count(*) FROM delivery_log GROUP BY 1, 2;`,
  // player.lookup's index: one row per scalar custom attribute (its value as text, as a lookup compares it),
  // kept by a trigger on every write to players, filled once from the players already there. Without it a
  // lookup read every player's custom attributes. The function resolves its tables in this schema whatever the
  // caller's search_path.
  `CREATE TABLE player_lookup (
    name text NOT NULL,
    value text NOT NULL,
    player_id text NOT NULL,
    PRIMARY KEY (name, value, player_id)
  );
  CREATE INDEX player_lookup_player ON player_lookup (player_id);
  CREATE FUNCTION player_lookup_rows(attributes jsonb) RETURNS TABLE (name text, value text)
    LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT AS $$
      SELECT key, value #>> '{}' FROM jsonb_each(CASE WHEN jsonb_typeof(attributes) = 'object' THEN attributes ELSE '{}' END)
      WHERE jsonb_typeof(value) IN ('string', 'number', 'boolean') AND length(value #>> '{}') <= 256
    $$;
  CREATE FUNCTION players_lookup_refresh() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        DELETE FROM player_lookup WHERE player_id = OLD.player_id;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO player_lookup (name, value, player_id)
          SELECT r.name, r.value, NEW.player_id FROM player_lookup_rows(NEW.custom_attributes) AS r;
      END IF;
      RETURN NULL;
    END $$;
  CREATE TRIGGER players_lookup AFTER INSERT OR DELETE OR UPDATE OF player_id, custom_attributes ON players
    FOR EACH ROW EXECUTE FUNCTION players_lookup_refresh();
  INSERT INTO player_lookup (name, value, player_id)
    SELECT r.name, r.value, p.player_id FROM players AS p, player_lookup_rows(p.custom_attributes) AS r;`,
  // Forward mode (docs/forward.md): its own tables, created whether or not it is switched on.
  ...forwardPostgresMigrations,
  // Several games and the sandbox (docs/server.md#several-games): every ledger row belongs to a scope, a game's
  // live or sandbox ledger. What is there belongs to the one unnamed game (''); the server moves it into the first
  // named game when one is configured (ledger_owner remembers which). Written to run again harmlessly.
  `ALTER TABLE players ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  ALTER TABLE players DROP CONSTRAINT IF EXISTS players_pkey, ADD PRIMARY KEY (scope, player_id);
  ALTER TABLE inventory ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  ALTER TABLE inventory DROP CONSTRAINT IF EXISTS inventory_pkey, ADD PRIMARY KEY (scope, player_id, sku);
  ALTER TABLE inventory_history ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  DROP INDEX IF EXISTS inventory_history_player;
  CREATE INDEX inventory_history_player ON inventory_history (scope, player_id, id);
  ALTER TABLE events ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  DROP INDEX IF EXISTS events_player;
  CREATE INDEX events_player ON events (scope, player_id, received_at);
  DROP INDEX IF EXISTS events_order;
  CREATE INDEX events_order ON events (scope, order_id);
  ALTER TABLE orders ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_pkey, ADD PRIMARY KEY (scope, order_id);
  ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  ALTER TABLE subscriptions DROP CONSTRAINT IF EXISTS subscriptions_pkey, ADD PRIMARY KEY (scope, subscription_id);
  ALTER TABLE player_lookup ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT '';
  ALTER TABLE player_lookup DROP CONSTRAINT IF EXISTS player_lookup_pkey, ADD PRIMARY KEY (scope, name, value, player_id);
  DROP INDEX IF EXISTS player_lookup_player;
  CREATE INDEX player_lookup_player ON player_lookup (scope, player_id);
  CREATE OR REPLACE FUNCTION players_lookup_refresh() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        DELETE FROM player_lookup WHERE scope = OLD.scope AND player_id = OLD.player_id;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO player_lookup (scope, name, value, player_id)
          SELECT NEW.scope, r.name, r.value, NEW.player_id FROM player_lookup_rows(NEW.custom_attributes) AS r;
      END IF;
      RETURN NULL;
    END $$;
  DROP TRIGGER IF EXISTS players_lookup ON players;
  CREATE TRIGGER players_lookup AFTER INSERT OR DELETE OR UPDATE OF scope, player_id, custom_attributes ON players
    FOR EACH ROW EXECUTE FUNCTION players_lookup_refresh();
  DELETE FROM player_lookup;
  INSERT INTO player_lookup (scope, name, value, player_id)
    SELECT p.scope, r.name, r.value, p.player_id FROM players AS p, player_lookup_rows(p.custom_attributes) AS r;
  CREATE TABLE IF NOT EXISTS ledger_owner (
    id integer PRIMARY KEY CHECK (id = 1),
    game text NOT NULL,
    named_at timestamptz NOT NULL
  );`,
  // `aghanim-webhooks listen` (docs/cli.md): the answers reported from developers' laptops.
  ...listenPostgresMigrations,
  // Reconciliation (docs/reconcile.md): one claim per order and kind, which every grant or revoke tied to an
  // order takes in its own transaction; filled from the grants already recorded with Aghanim's reasons. Written
  // to run again harmlessly.
  `CREATE TABLE IF NOT EXISTS order_claims (
    order_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('grant', 'revoke')),
    game text NOT NULL DEFAULT '',
    player_id text NOT NULL,
    source text NOT NULL,
    event_id text,
    idempotency_key text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (order_id, kind)
  );
  INSERT INTO order_claims (order_id, kind, game, player_id, source, event_id, idempotency_key, created_at)
    SELECT DISTINCT ON (1, 2) substr(reason, 12), kind, scope, player_id, 'webhook', event_id, idempotency_key, created_at
    FROM inventory_history WHERE kind = 'grant' AND reason LIKE 'Order paid ord\\_%'
    ORDER BY 1, 2, id
    ON CONFLICT DO NOTHING;
  INSERT INTO order_claims (order_id, kind, game, player_id, source, event_id, idempotency_key, created_at)
    SELECT DISTINCT ON (1, 2) substr(reason, 16), kind, scope, player_id, 'webhook', event_id, idempotency_key, created_at
    FROM inventory_history WHERE kind = 'revoke' AND reason LIKE 'Order refunded ord\\_%'
    ORDER BY 1, 2, id
    ON CONFLICT DO NOTHING;
  CREATE TABLE IF NOT EXISTS reconcile_runs (
    id text PRIMARY KEY,
    game text NOT NULL,
    trigger text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    since bigint NOT NULL,
    until bigint NOT NULL,
    fix boolean NOT NULL,
    checked integer NOT NULL,
    missing integer NOT NULL,
    revoked_missing integer NOT NULL,
    fixed integer NOT NULL,
    error text,
    result jsonb NOT NULL
  );
  CREATE INDEX IF NOT EXISTS reconcile_runs_started ON reconcile_runs (started_at);`,
]
