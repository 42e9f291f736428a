/**
 * Makes the statement's own (autocommit) transaction commit with `synchronous_commit = off`: PostgreSQL then
 * acknowledges the commit without waiting for its WAL flush. For claims, releases and the delivery log's rows
 * only. Other sessions see a claim from its commit on, which is all mutual exclusion needs; what the claim
 * protects (the handler's work and its answer) is acknowledged only after the completion's synchronous commit,
 * whose flush covers the claim's WAL records too. A claim lost to a server crash is claimed again by the retry,
 * as after a crash once the lease ends. A delivery-log row lost to PostgreSQL's own crash is within what the
 * log promises (docs/reliability.md): the log is a record of deliveries, not of grants. A `completed` row seen
 * by a duplicate was committed synchronously: it is on disk before anyone can see it. `set_config(…, true)` is
 * transaction-local, and a FROM item is how one statement runs it.
 */
export const RELAXED_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS relaxed_commit`
