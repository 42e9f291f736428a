/** What the delivery log's event-loop side and its writer thread say to each other. Internal. */
import type { DeliveryCursor, DeliveryQuery, DeliverySummary } from 'aghanim-webhooks/store'

/** How the writer is started. */
export interface WriterSettings {
  /** The log's directory: one sub-directory (slot) per writing process. */
  directory: string
  /** A segment of bodies is closed and a new one begun past this size. */
  segmentBytes: number
  /** How often written segments and index rows are flushed to disk. */
  syncIntervalMs: number
  /** Slots that other logs of this same process hold: same pid in their pid file, but not stale. */
  heldInProcess: string[]
  /** A store database this thread checkpoints as well (`checkpoints: 'external'`), if any. */
  checkpoints: { path: string; pragmas: string } | null
  /** The store database whose older, in-database delivery log is moved here, if any. */
  legacy: LegacySource | null
}

export interface LegacySource {
  path: string
}

/**
 * One record of a batch: its summary, and where its frame (headers JSON, body, answer body) lies in the
 * batch's `frames` (`bodyLength` -1: no body).
 */
export type BatchRecord = DeliverySummary & {
  position: number
  headersLength: number
  bodyLength: number
  responseLength: number
}

/**
 * A batch travels as one message. Its summaries are columns: the numbers of every record in one array and the
 * texts back to back in one string, cut by their lengths (-1: null). Structured clone copies each of those in
 * one piece, where an object per record costs a walk over its fields on both threads. The frames go in one
 * transferred buffer, which the writer hands back once written, for the next batch. `encodeFrames` writes it,
 * `batchRecords` reads it.
 */
export interface AppendBatch {
  count: number
  numbers: Float64Array
  texts: string
  textLengths: Int32Array
  frames: Uint8Array
}

/** A listing's filters, its page size resolved and its cursor decoded. */
export type ListRequest = Omit<DeliveryQuery, 'cursor' | 'limit'> & { limit: number; after?: DeliveryCursor }

export type WriterRequest = { seq: number } & (
  | { type: 'append'; batch: AppendBatch }
  | { type: 'get'; id: string }
  | { type: 'list'; query: ListRequest }
  | { type: 'stats'; since: number; until: number }
  | { type: 'prune'; olderThan: number }
  | { type: 'close' }
)

/** A stored record as read back: its summary row, and its frame unless a power cut damaged it. */
export interface StoredRecord {
  row: Record<string, unknown>
  headers: string
  body: Uint8Array | null
  responseBody: string
  damaged: boolean
}

export type WriterMessage =
  | { type: 'ready'; slot: string }
  | { type: 'reply'; seq: number; ok: true; value: unknown; spare?: ArrayBuffer }
  | { type: 'reply'; seq: number; ok: false; message: string }
  | { type: 'legacy-progress'; copied: number; total: number }
  | { type: 'legacy-done'; copied: number }
  | { type: 'legacy-failed'; message: string }
