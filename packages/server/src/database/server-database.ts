import type { DeliveryLog, IdempotencyStore } from 'aghanim-webhooks/store'
import type { Ledger } from '../ledger/ledger.js'

/** Deliveries per minute and outcome: `minute` is the minute's start in Unix ms. */
export interface MinuteCount {
  minute: number
  outcome: string
  count: number
}

/**
 * Everything the server keeps, behind one face for SQLite and PostgreSQL: the idempotency store and the
 * ledger share one connection (pool) and one migration system; the delivery log is written apart from them
 * (on SQLite, in files of its own by a thread of its own). Internal.
 */
export interface ServerDatabase<Tx = unknown> {
  readonly kind: 'sqlite' | 'postgres'
  store: IdempotencyStore<Tx>
  /**
   * The delivery log. Each appended batch also adds to the per-minute counts of the inspector's chart, and
   * pruning forgets the counts of the minutes it prunes.
   */
  deliveries: DeliveryLog
  ledger: Ledger<Tx>
  /**
   * Counts by minute and outcome of deliveries received in [since, until): the chart reads at most one row per
   * minute and outcome instead of aggregating every delivery of the window, which on SQLite ran on the event
   * loop with every webhook waiting (docs/benchmarks.md, "Why the code is shaped this way").
   */
  deliveryStats(since: number, until: number): Promise<MinuteCount[]>
  /** Forgets settled idempotency keys last touched before `olderThan` (Unix ms). */
  pruneKeys(olderThan: number): Promise<number>
  /**
   * Frees the claims of attempts that died with their process, at start, before anything is served. SQLite:
   * the server (with its workers) owns the file, so every claim in progress is such a claim. PostgreSQL: none
   * to free here; a claim records its instance's presence lock, and any retry takes over a claim whose
   * instance is gone (see the store's `Presence`). Resolves with how many were freed.
   */
  releaseAbandonedClaims(): Promise<number>
  /**
   * Names the game the database's ledger belongs to, once (`AGHANIM_GAME_SECRETS`' first game): the first time,
   * everything the unnamed game (`AGHANIM_WEBHOOK_SECRET`) kept moves into it, in one transaction. Resolves with
   * the owner (`game`, or the one named before) and whether rows moved now.
   */
  nameLedger(game: string): Promise<{ owner: string; moved: boolean }>
  /** The game named by `nameLedger`, if any. */
  ledgerOwner(): Promise<string | undefined>
  ping(): Promise<void>
  close(): Promise<void>
}

/** What opening a database may report while it runs (moving an older delivery log, counting failures). */
export interface DatabaseEvents {
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
}

/** The migration scope of the ledger's tables in the stores' migration systems. */
export const LEDGER_SCOPE = 'aghanim-webhooks/server-ledger'
