-- The grant a durable item.add makes on PostgreSQL, as pgbench runs it: claim the key (its own statement, as
-- the server's claim), then in one transaction upsert the inventory row and complete the key. Run by
-- bench/lib/pgbench.mjs against tables of its own schema, 50 clients, in the same run as the server. Over 16
-- players, as the bench's item.add (bench/lib/events.mjs): the same contention on an inventory row's lock.
\set n random(1, 2000000000)
\set player random(1, 16)
INSERT INTO grant_keys (key, state) VALUES (:client_id || '-' || :n, 'in_progress') ON CONFLICT (key) DO NOTHING;
BEGIN;
INSERT INTO grant_inventory (player_id, sku, quantity) VALUES ('player-' || :player, 'gems', 1)
  ON CONFLICT (player_id, sku) DO UPDATE SET quantity = grant_inventory.quantity + 1;
UPDATE grant_keys SET state = 'completed', answer_status = 200, answer_body = '{"status":"ok"}'
  WHERE key = :client_id || '-' || :n AND state = 'in_progress';
COMMIT;
