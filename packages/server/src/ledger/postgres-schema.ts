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
  );`, // Per-minute delivery counts for the inspector's chart, kept as deliveries are logged; filled once from the
  // delivery log that exists when this migration runs.
  `CREATE TABLE delivery_stats (
    minute bigint NOT NULL,
    outcome text NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (minute, outcome)
  );
  INSERT INTO delivery_stats (minute, outcome, count)
    SELECT (received_at / 60000) * 60000, outcome, count(*) FROM delivery_log GROUP BY 1, 2;`,
]
