import type { DeliveryLog, IdempotencyStore } from 'aghanim-webhooks'
import type { Ledger } from '../ledger/ledger.js'

/** Deliveries per minute and outcome: `minute` is the minute's start in Unix ms. */
export interface MinuteCount {
  minute: number
  outcome: string
  count: number
}

/**
 * Everything the server keeps in its database, behind one face for SQLite and PostgreSQL: the idempotency
 * store, the delivery log and the ledger share one connection (pool) and one migration system. Internal.
 */
export interface ServerDatabase<Tx = unknown> {
  readonly kind: 'sqlite' | 'postgres'
  store: IdempotencyStore<Tx>
  deliveries: DeliveryLog
  ledger: Ledger<Tx>
  /** Counts by minute and outcome of deliveries received in [since, until), from `delivery_stats`. */
  deliveryStats(since: number, until: number): Promise<MinuteCount[]>
  /**
   * Adds to the per-minute counts (the recorder calls it once per delivery-log batch): the chart reads at most
   * one row per minute and outcome instead of aggregating every delivery of the window, which on SQLite ran
   * on the event loop (200 000 deliveries in the window: 129 ms, every webhook waiting).
   */
  countDeliveries(counts: readonly MinuteCount[]): Promise<void>
  /** Forgets the counts of minutes before `olderThan` (Unix ms), with the delivery log's retention. */
  pruneDeliveryStats(olderThan: number): Promise<number>
  /** Forgets settled idempotency keys last touched before `olderThan` (Unix ms). */
  pruneKeys(olderThan: number): Promise<number>
  /**
   * Frees the claims of attempts that died with their process, at start, before anything is served. SQLite:
   * the server (with its workers) owns the file, so every claim in progress is such a claim. PostgreSQL: none
   * to free here; a claim records its instance's presence lock, and any retry takes over a claim whose
   * instance is gone (see the store's `Presence`). Resolves with how many were freed.
   */
  releaseAbandonedClaims(): Promise<number>
  ping(): Promise<void>
  close(): Promise<void>
}

/** The migration scope of the ledger's tables in the stores' migration systems. */
export const LEDGER_SCOPE = 'aghanim-webhooks/server-ledger'
