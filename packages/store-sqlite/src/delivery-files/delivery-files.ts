import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import {
  type DeliveryInput,
  type DeliveryLog,
  type DeliveryPage,
  type DeliveryQuery,
  type DeliveryRecord,
  decodeDeliveryCursor,
  deliveryPageSize,
  deliverySummaryFromRow,
  encodeDeliveryCursor,
  newDeliveryId,
} from 'aghanim-webhooks/store'
import type { CheckpointSettings } from '../sqlite-store.js'
import { encodeFrames, type FrameInput } from './frames.js'
import type { ListRequest, StoredRecord, WriterMessage, WriterRequest, WriterSettings } from './protocol.js'

export interface SqliteDeliveryFilesOptions {
  /** The log's directory (created if missing); each process writing to it takes a sub-directory of its own. */
  directory: string
  /** Clock in milliseconds, for the ids of records appended without one. */
  now?: () => number
  /**
   * A store database (`openSqliteStore`'s file) whose in-database delivery log, from versions before this
   * one, is moved here in the background by the process that writes slot 0; `onLegacyProgress` hears how far
   * it got. Rows moved are not deleted from the store's file: that is the caller's to do once it hears `done`.
   */
  legacyStorePath?: string
  onLegacyProgress?: (progress: LegacyProgress) => void
  /**
   * A store opened with `checkpoints: 'external'` whose checkpoints this log's thread runs too
   * (`store.checkpointing`): one thread instead of two.
   */
  checkpoints?: CheckpointSettings
  /** A body segment is closed and a new one begun past this size. Default 64 MiB. */
  segmentBytes?: number
  /** How often written records are flushed to disk. Default 1000 ms. */
  syncIntervalMs?: number
}

export type LegacyProgress =
  | { state: 'copying'; copied: number; total: number }
  | { state: 'done'; copied: number }
  | { state: 'failed'; message: string }

/** Deliveries per minute and outcome: `minute` is the minute's start in Unix ms. */
export interface DeliveryMinuteCount {
  minute: number
  outcome: string
  count: number
}

/** Buffers kept for reuse: batches in flight at once, at the recorder's pace. */
const MAX_SPARES = 2

/** Failed writers are started again on the next request, but not more often than this. */
const RESTART_DELAY_MS = 1000

/**
 * The slots this process's open logs hold, by directory, and each directory's latest start: a start waits for
 * the one before it, so two logs of one process never pick the same slot.
 */
const heldSlots = new Map<string, Set<string>>()
const starting = new Map<string, Promise<unknown>>()

/**
 * Opens a delivery log kept in files of its own, written by a thread of its own: the event loop only hands
 * each batch over (its frames in one transferred buffer, which comes back for the next batch), and the thread appends headers, bodies and answers
 * to a segment file and a small summary row per record to an index database, where the per-minute counts of
 * `stats` are kept in the same transaction. Several processes may share the directory: each writes its own
 * slot, and reads cover them all. See docs/stores.md ("The delivery log's own files").
 *
 * @example
 * const log = await openSqliteDeliveryFiles({ directory: 'data/deliveries' })
 * const handle = createWebhookHandler({ secret, router, store, onDelivery: (d) => void log.append(toRecord(d)) })
 */
export async function openSqliteDeliveryFiles(
  options: SqliteDeliveryFilesOptions,
): Promise<SqliteDeliveryFiles> {
  const files = new SqliteDeliveryFiles(options)
  await files.started
  return files
}

export class SqliteDeliveryFiles implements DeliveryLog {
  /** Which sub-directory of the log this process writes. */
  slot = ''
  readonly started: Promise<void>
  readonly #options: SqliteDeliveryFilesOptions
  readonly #now: () => number
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  #worker: Worker | undefined
  #failedAt = 0
  #seq = 0
  /** Buffers the writer handed back, for the next batches' frames. */
  readonly #spares: ArrayBuffer[] = []
  #closed: Promise<void> | undefined

  constructor(options: SqliteDeliveryFilesOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    this.started = this.#start(true)
  }

  append(record: DeliveryInput): Promise<string> {
    return this.appendMany([record]).then((ids) => ids[0]!)
  }

  async appendMany(records: readonly DeliveryInput[]): Promise<string[]> {
    if (records.length === 0) return []
    // The server's recorder gives every id: no copy of its records then.
    const withIds = records.every((record) => record.id !== undefined)
      ? (records as FrameInput[])
      : records.map((record) => ({ ...record, id: record.id ?? newDeliveryId(this.#now()) }))
    const batch = encodeFrames(withIds, this.#spares.pop())
    await this.#request({ type: 'append', batch }, [batch.frames.buffer as ArrayBuffer])
    return withIds.map((record) => record.id)
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const stored = (await this.#request({ type: 'get', id })) as StoredRecord | null
    if (!stored) return undefined
    return {
      ...deliverySummaryFromRow(stored.row),
      headers: JSON.parse(stored.headers) as Record<string, string>,
      body: stored.body,
      responseBody: stored.responseBody,
    }
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryPage> {
    const limit = deliveryPageSize(query.limit)
    const { cursor, limit: _, ...filters } = query
    const request: ListRequest = { ...filters, limit }
    if (cursor) request.after = decodeDeliveryCursor(cursor)
    const rows = (await this.#request({ type: 'list', query: request })) as Record<string, unknown>[]
    const records = rows.slice(0, limit).map(deliverySummaryFromRow)
    const last = records.at(-1)
    return { records, nextCursor: rows.length > limit && last ? encodeDeliveryCursor(last) : null }
  }

  /** Deletes this process's records received before `olderThan`, their counts, and segments left empty. */
  async prune(olderThan: number): Promise<number> {
    return (await this.#request({ type: 'prune', olderThan })) as number
  }

  /** Counts by minute and outcome of the deliveries received in [since, until), across every slot. */
  async stats(since: number, until: number): Promise<DeliveryMinuteCount[]> {
    const rows = (await this.#request({ type: 'stats', since, until })) as [number, string, number][]
    return rows.map(([minute, outcome, count]) => ({ minute, outcome, count }))
  }

  /** Writes what was handed over, flushes it to disk, and ends the thread. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const worker = this.#worker
      if (!worker) return
      await this.#request({ type: 'close' }).catch(() => {})
      await worker.terminate()
    })()
    return this.#closed
  }

  #start(first: boolean): Promise<void> {
    // Absolute: the thread resolves paths a moment later, and the working directory may have changed.
    const directory = resolve(this.#options.directory)
    const previous = starting.get(directory) ?? Promise.resolve()
    const started = previous.catch(() => {}).then(() => this.#spawn(directory, first))
    starting.set(directory, started)
    return started
  }

  #spawn(directory: string, first: boolean): Promise<void> {
    const held = heldSlots.get(directory) ?? new Set<string>()
    heldSlots.set(directory, held)
    const settings: WriterSettings = {
      directory,
      heldInProcess: [...held],
      checkpoints: this.#options.checkpoints ?? null,
      segmentBytes: this.#options.segmentBytes ?? 64 * 1024 * 1024,
      syncIntervalMs: this.#options.syncIntervalMs ?? 1000,
      legacy:
        first && this.#options.legacyStorePath ? { path: resolve(this.#options.legacyStorePath) } : null,
    }
    // A small young generation: the thread's garbage is short-lived batch records, and each isolate's heap is
    // resident memory the whole server pays for.
    const worker = new Worker(writerEntry(), {
      workerData: settings,
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    })
    worker.unref()
    this.#worker = worker
    return new Promise<void>((ready, failed) => {
      worker.on('message', (message: WriterMessage) => {
        if (message.type === 'ready') {
          this.slot = message.slot
          held.add(message.slot)
          ready()
        } else if (message.type === 'reply') this.#settle(message)
        else this.#legacy(message)
      })
      // Listening is what keeps a failure of the thread from crashing the process: requests fail instead.
      worker.on('error', (error) => {
        failed(error)
        this.#fail(worker, error)
      })
      worker.on('exit', (code) => {
        held.delete(this.slot)
        failed(new Error(`The delivery log's writer exited (code ${code}) before it started.`))
        this.#fail(worker, new Error(`The delivery log's writer exited (code ${code}).`))
      })
    })
  }

  #request(request: DistributiveOmit<WriterRequest, 'seq'>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.#closed && request.type !== 'close')
      return Promise.reject(new Error('The delivery log is closed.'))
    if (!this.#worker) {
      if (this.#now() - this.#failedAt < RESTART_DELAY_MS)
        return Promise.reject(new Error("The delivery log's writer failed; it restarts in a moment."))
      void this.#start(false).catch(() => {})
    }
    const worker = this.#worker!
    const seq = ++this.#seq
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref()
      this.#pending.set(seq, { resolve, reject })
      worker.postMessage({ ...request, seq }, transfer)
    })
  }

  #settle(message: Extract<WriterMessage, { type: 'reply' }>): void {
    const waiting = this.#pending.get(message.seq)
    if (!waiting) return
    this.#pending.delete(message.seq)
    if (this.#pending.size === 0) this.#worker?.unref()
    if (message.ok && message.spare && this.#spares.length < MAX_SPARES) this.#spares.push(message.spare)
    if (message.ok) waiting.resolve(message.value)
    else waiting.reject(new Error(message.message))
  }

  #fail(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return
    this.#worker = undefined
    this.#failedAt = this.#now()
    for (const waiting of this.#pending.values()) waiting.reject(error)
    this.#pending.clear()
  }

  #legacy(message: Exclude<WriterMessage, { type: 'ready' | 'reply' }>): void {
    const report = this.#options.onLegacyProgress
    if (!report) return
    if (message.type === 'legacy-progress')
      report({ state: 'copying', copied: message.copied, total: message.total })
    else if (message.type === 'legacy-done') report({ state: 'done', copied: message.copied })
    else report({ state: 'failed', message: message.message })
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** The writer's file: the compiled one next to this module, or the TypeScript source when run from src/. */
function writerEntry(): URL {
  return new URL(
    import.meta.url.endsWith('.ts') ? './writer-thread.ts' : './writer-thread.js',
    import.meta.url,
  )
}
