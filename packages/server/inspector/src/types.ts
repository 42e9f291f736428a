// The admin API's JSON shapes under the names the page uses. They are declared once, in the server's
// src/api/admin-api-types.ts, which the server's code returns: the page reads exactly what the server writes.
// `import type` only: the page cannot load server modules, and the import leaves nothing in the built page.

export type {
  DeliveryPageJson as DeliveryPage,
  DeliveryStatsJson as DeliveryStats,
  DeliverySummaryJson as DeliverySummary,
  DeliveryWithDuplicatesJson as DeliveryDetail,
  ForwardAttemptJson as ForwardAttempt,
  GamesJson as Games,
  HistoryEntry,
  InventoryLine as InventoryItem,
  LedgerJson as Ledger,
  ListenAnswerJson as ListenAnswer,
  OutboxEntryJson as OutboxEntry,
  OutboxPageJson as OutboxPage,
  Player,
  ReconcileResult as ReconcileFindings,
  ReconcileRunJson as ReconcileRun,
  SignatureCheckFailure,
} from '../../src/api/admin-api-types.js'

/** One minute of the chart: counts by outcome (the chart takes ISO minutes and epoch milliseconds alike). */
export interface MinuteCounts {
  minute: string | number
  counts: Record<string, number>
}
