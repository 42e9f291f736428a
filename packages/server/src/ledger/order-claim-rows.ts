import type { LedgerChange, OrderClaim, ReconcileRunRecord } from './ledger.js'

/** The claim a change tied to an order takes. Internal. */
export function claimOf(change: LedgerChange): OrderClaim {
  return {
    orderId: change.orderId!,
    kind: change.kind,
    game: change.scope ?? '',
    playerId: change.playerId,
    source: change.source ?? 'webhook',
    eventId: change.eventId,
    key: change.key,
    at: change.at,
  }
}

/** An `order_claims` row as a claim (`at`: the row's time converted by the caller). Internal. */
export function claimFromRow(row: Record<string, unknown>, at: number): OrderClaim {
  return {
    orderId: String(row.order_id),
    kind: row.kind === 'revoke' ? 'revoke' : 'grant',
    game: String(row.game ?? ''),
    playerId: String(row.player_id),
    source: row.source === 'reconcile' ? 'reconcile' : 'webhook',
    eventId: (row.event_id as string | null) ?? null,
    key: (row.idempotency_key as string | null) ?? null,
    at,
  }
}

/** A run's columns after `id`, in table order, without `result`. Internal. */
export function runValues(run: ReconcileRunRecord): (string | number | null)[] {
  return [
    run.id,
    run.game,
    run.trigger,
    run.startedAt,
    run.finishedAt,
    run.since,
    run.until,
    run.fix ? 1 : 0,
    run.checked,
    run.missing,
    run.revokedMissing,
    run.fixed,
    run.error,
  ]
}

/** A `reconcile_runs` row as a run (times converted by the caller). Internal. */
export function runFromRow(
  row: Record<string, unknown>,
  startedAt: number,
  finishedAt: number,
): ReconcileRunRecord {
  return {
    id: String(row.id),
    game: String(row.game),
    trigger: row.trigger === 'schedule' ? 'schedule' : 'api',
    startedAt,
    finishedAt,
    since: Number(row.since),
    until: Number(row.until),
    fix: row.fix === true || Number(row.fix) === 1,
    checked: Number(row.checked),
    missing: Number(row.missing),
    revokedMissing: Number(row.revoked_missing),
    fixed: Number(row.fixed),
    error: (row.error as string | null) ?? null,
    result: typeof row.result === 'string' ? JSON.parse(row.result) : row.result,
  }
}
