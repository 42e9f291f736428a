import type { Answer } from '../answer.js'

/**
 * The idempotency Store contract. A store gives each key's handler at most one successful run, even with
 * concurrent duplicates in different processes, and remembers the first answer for later duplicates.
 *
 * Lifecycle of one delivery: `claim` → (run the handler) → `complete` on success, `release` on failure. For
 * a handler marked `transactional`, a store with `completeUnclaimed` may skip the claim: run the handler, then
 * record the key, its answer and its work at once, or claim as usual if the key already has a row.
 * A claim is a lease: if the process dies before complete/release, the lease expires and a retry can claim.
 * `complete` is conditional on still holding the lease (its token), so an expired-and-retaken lease can never
 * commit twice; the store runs the handler's database work (`work`) in the same transaction as the
 * completion record, which is what makes a database-backed grant exactly-once.
 */
/** The answer a store keeps for a key, to send again to its duplicates: the receiver's one `Answer` type. */
export type StoredAnswer = Answer

export type ClaimResult =
  | { kind: 'acquired'; token: string; attempt: number }
  | { kind: 'completed'; answer: StoredAnswer; completedAt: number }
  | { kind: 'busy'; leaseExpiresAt: number }

export interface ClaimOptions {
  /** How long this attempt may hold the key before another attempt may take it over. */
  leaseMs: number
  /** Event metadata stored beside the key (for the inspector and queries); never secrets. */
  eventType?: string
  eventId?: string
}

/** Work the handler wants committed atomically with the completion record. `Tx` is the store's transaction. */
export type TransactionWork<Tx> = (tx: Tx) => void | Promise<void>

export interface IdempotencyStore<Tx = unknown> {
  claim(key: string, options: ClaimOptions): Promise<ClaimResult>
  /**
   * Records the answer for `key` if `token` still holds the lease, running `work` in the same transaction.
   * Resolves `true` once durably committed; `false` if the lease was lost (nothing was committed).
   * Rejects if the database failed (nothing was committed either).
   */
  complete(
    key: string,
    token: string,
    answer: StoredAnswer,
    work?: readonly TransactionWork<Tx>[],
  ): Promise<boolean>
  /**
   * Optional: records the answer for a key nobody has claimed, running `work` in the same transaction, in one
   * step (the receiver uses it for handlers marked `transactional`, which run before any claim). Resolves
   * `true` once durably committed; `false`, with nothing committed, if the key already has a row (completed,
   * claimed or released): the receiver then claims it as usual. Rejects if the database failed.
   */
  completeUnclaimed?(
    key: string,
    answer: StoredAnswer,
    work: readonly TransactionWork<Tx>[],
    options: ClaimOptions,
  ): Promise<boolean>
  /** Gives the key up after a failed attempt so a retry can run at once. A lost lease is not an error. */
  release(key: string, token: string): Promise<void>
  close?(): Promise<void>
}
