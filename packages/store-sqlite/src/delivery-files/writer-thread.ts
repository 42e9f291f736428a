// The delivery log's own thread: it owns this process's slot of the log (an index database and append-only
// body segments), writes the batches the event loop hands it, and answers reads across every slot. It imports
// only Node's built-ins: it is started from src/*.ts (tests) and dist/*.js alike, outside any bundler.
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { parentPort, workerData } from 'node:worker_threads'
import { crc32 } from 'node:zlib'
// Run by Node itself from src/*.ts as from dist/*.js: tsc rewrites these specifiers to '….js'.
import { checkpointContinuously } from '../checkpoint-loop.ts'
import { DELIVERY_SUMMARY_COLUMNS, deliveryFilters } from '../delivery-filters.ts'
import { batchRecords, encodeFrames } from './frames.ts'
// Type-only, so erased before Node resolves anything: the path may name the compiled file.
import type {
  AppendBatch,
  BatchRecord,
  LegacySource,
  ListRequest,
  StoredRecord,
  WriterMessage,
  WriterRequest,
  WriterSettings,
} from './protocol.js'

const settings = workerData as WriterSettings
const INDEX_FILE = 'index.db'
const LOCK_FILE = 'writer.pid'
const SEGMENT_SUFFIX = '.seg'
const MINUTE = 60_000

/**
 * The summary of each delivery and where its headers, body and answer lie in a segment. Keyed by time, so
 * the newest-first listing, time filters and retention walk one B-tree; the other filters (type, outcome,
 * status, player) scan it newest first, which a listing's LIMIT keeps short for the filters people use and
 * which keeps each row to two B-trees plus the sparse key and replay indexes.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  received_at INTEGER NOT NULL,
  id TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  outcome TEXT NOT NULL,
  event_id TEXT,
  event_type TEXT,
  idempotency_key TEXT,
  player_id TEXT,
  status INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  attempt INTEGER NOT NULL,
  duplicate INTEGER NOT NULL,
  replay_of TEXT,
  game TEXT,
  sandbox INTEGER NOT NULL DEFAULT 0,
  segment INTEGER NOT NULL,
  position INTEGER NOT NULL,
  headers_length INTEGER NOT NULL,
  body_length INTEGER NOT NULL,
  response_length INTEGER NOT NULL,
  checksum INTEGER NOT NULL,
  PRIMARY KEY (received_at, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_id ON deliveries (id);
CREATE INDEX IF NOT EXISTS deliveries_key ON deliveries (idempotency_key, received_at, id) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS deliveries_replay_of ON deliveries (replay_of, received_at, id) WHERE replay_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS segments (segment INTEGER PRIMARY KEY, newest_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS delivery_stats (
  minute INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (minute, outcome)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`

const SUMMARY_COLUMNS = DELIVERY_SUMMARY_COLUMNS
/** The summary columns a later version added: an older index or store database lacks them. */
const RECORDED_COLUMNS = ['game', 'sandbox']
const LOCATION_COLUMNS = 'segment, position, headers_length, body_length, response_length, checksum'

const own = openOwnSlot()
const insertRow = own.db.prepare(
  `INSERT INTO deliveries (${SUMMARY_COLUMNS}, ${LOCATION_COLUMNS}) VALUES (${Array(`${SUMMARY_COLUMNS}, ${LOCATION_COLUMNS}`.split(', ').length).fill('?').join(', ')})`,
)
const addCount = own.db.prepare(
  `INSERT INTO delivery_stats (minute, outcome, count) VALUES (?, ?, ?)
   ON CONFLICT (minute, outcome) DO UPDATE SET count = count + excluded.count`,
)
const touchSegment = own.db.prepare(
  `INSERT INTO segments (segment, newest_at) VALUES (?, ?)
   ON CONFLICT (segment) DO UPDATE SET newest_at = max(newest_at, excluded.newest_at)`,
)
const setMeta = own.db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)')
let segment = openNewestSegment()
let unsynced = false
const readers = new Map<string, DatabaseSync>()

const syncTimer = setInterval(syncToDisk, settings.syncIntervalMs)
const stopCheckpoints = settings.checkpoints
  ? checkpointContinuously(settings.checkpoints.path, settings.checkpoints.pragmas)
  : () => {}

parentPort!.on('message', (request: WriterRequest) => {
  let reply: WriterMessage
  try {
    reply = { type: 'reply', seq: request.seq, ok: true, value: answer(request) }
  } catch (error) {
    reply = { type: 'reply', seq: request.seq, ok: false, message: messageOf(error) }
  }
  // The batch's buffer goes back to be filled again.
  const spare = request.type === 'append' ? (request.batch.frames.buffer as ArrayBuffer) : undefined
  if (spare && reply.ok) reply.spare = spare
  parentPort!.postMessage(reply, spare ? [spare] : [])
})
tell({ type: 'ready', slot: own.slot })
// Slot 0's writer alone moves an older log: processes starting together each take another slot.
if (settings.legacy && own.slot === '0')
  copyLegacy(settings.legacy).catch((error: unknown) =>
    tell({ type: 'legacy-failed', message: messageOf(error) }),
  )

function tell(message: WriterMessage): void {
  parentPort!.postMessage(message)
}

function messageOf(error: unknown): string {
  return String((error as Error)?.message ?? error)
}

function answer(request: WriterRequest): unknown {
  switch (request.type) {
    case 'append':
      return inTransaction(() => writeBatch(request.batch, true))
    case 'get':
      return getRecord(request.id)
    case 'list':
      return list(request.query)
    case 'stats':
      return stats(request.since, request.until)
    case 'prune':
      return prune(request.olderThan)
    case 'close':
      stopCheckpoints()
      clearInterval(syncTimer)
      syncToDisk()
      own.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      own.db.close()
      for (const reader of readers.values()) reader.close()
      closeSync(segment.fd)
      unlinkSync(join(own.dir, LOCK_FILE))
      return null
  }
}

function inTransaction<T>(work: () => T): T {
  own.db.exec('BEGIN')
  try {
    const value = work()
    own.db.exec('COMMIT')
    return value
  } catch (error) {
    own.db.exec('ROLLBACK')
    throw error
  }
}

/**
 * Writes the batch's frames to the segment first, then its index rows (inside the caller's transaction): a row
 * never points at bytes that were not handed to the kernel.
 */
function writeBatch(batch: AppendBatch, count: boolean): number {
  if (batch.count === 0) return 0
  const records = batchRecords(batch)
  if (segment.size >= settings.segmentBytes) segment = rotateSegment()
  const frames = Buffer.from(batch.frames.buffer, batch.frames.byteOffset, batch.frames.byteLength)
  writeAll(segment.fd, frames)
  unsynced = true
  const start = segment.size
  segment.size += frames.length
  let newest = 0
  for (const record of records) {
    const end =
      record.position + record.headersLength + Math.max(0, record.bodyLength) + record.responseLength
    insertRow.run(
      record.id,
      record.receivedAt,
      record.method,
      record.path,
      record.outcome,
      record.eventId,
      record.eventType,
      record.key,
      record.playerId,
      record.status,
      record.durationMs,
      record.attempt,
      record.duplicate ? 1 : 0,
      record.replayOf,
      record.game,
      record.sandbox ? 1 : 0,
      segment.number,
      start + record.position,
      record.headersLength,
      record.bodyLength,
      record.responseLength,
      crc32(frames.subarray(record.position, end)),
    )
    if (record.receivedAt > newest) newest = record.receivedAt
  }
  touchSegment.run(segment.number, newest)
  if (count) for (const [minute, outcome, n] of minuteCounts(records)) addCount.run(minute, outcome, n)
  return records.length
}

function* minuteCounts(records: readonly BatchRecord[]): Generator<[number, string, number]> {
  const counts = new Map<string, [number, string, number]>()
  for (const { receivedAt, outcome } of records) {
    const minute = Math.floor(receivedAt / MINUTE) * MINUTE
    const key = `${minute} ${outcome}`
    const entry = counts.get(key)
    if (entry) entry[2] += 1
    else counts.set(key, [minute, outcome, 1])
  }
  yield* counts.values()
}

function getRecord(id: string): StoredRecord | null {
  for (const [slot, db] of slots()) {
    const row = cached(db, `SELECT ${SUMMARY_COLUMNS}, ${LOCATION_COLUMNS} FROM deliveries WHERE id = ?`).get(
      id,
    )
    if (row) return readFrame(slot, row)
  }
  return null
}

/** The row and its frame; a frame that does not match its checksum (lost to a power cut) reads as damaged. */
function readFrame(slot: string, row: Record<string, SQLInputValue>): StoredRecord {
  const headersLength = Number(row.headers_length)
  const bodyLength = Number(row.body_length)
  const length = headersLength + Math.max(0, bodyLength) + Number(row.response_length)
  const bytes = Buffer.alloc(length)
  let damaged = true
  const path = join(settings.directory, slot, segmentName(Number(row.segment)))
  if (existsSync(path)) {
    const fd = openSync(path, 'r')
    try {
      const read = readSync(fd, bytes, 0, length, Number(row.position))
      damaged = read !== length || crc32(bytes) !== Number(row.checksum)
    } finally {
      closeSync(fd)
    }
  }
  const summary = { ...row }
  for (const column of LOCATION_COLUMNS.split(', ')) delete summary[column]
  if (damaged) return { row: summary, headers: '{}', body: null, responseBody: '', damaged: true }
  return {
    row: summary,
    headers: bytes.toString('utf8', 0, headersLength),
    body: bodyLength < 0 ? null : new Uint8Array(bytes.subarray(headersLength, headersLength + bodyLength)),
    responseBody: bytes.toString('utf8', headersLength + Math.max(0, bodyLength)),
    damaged: false,
  }
}

/** Newest first across every slot: each slot's first `limit + 1` rows, merged. */
function list(query: ListRequest): Record<string, SQLInputValue>[] {
  const { clause, params } = deliveryFilters(query, query.after)
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM deliveries ${clause} ORDER BY received_at DESC, id DESC LIMIT ?`
  const rows: Record<string, SQLInputValue>[] = []
  for (const [, db] of slots()) rows.push(...cached(db, sql).all(...params, query.limit + 1))
  rows.sort(
    (a, b) =>
      Number(b.received_at) - Number(a.received_at) ||
      (String(a.id) < String(b.id) ? 1 : a.id === b.id ? 0 : -1),
  )
  return rows.slice(0, query.limit + 1)
}

function stats(since: number, until: number): [number, string, number][] {
  const totals = new Map<string, [number, string, number]>()
  for (const [, db] of slots()) {
    const rows = cached(
      db,
      'SELECT minute, outcome, count FROM delivery_stats WHERE minute >= ? AND minute < ?',
    ).all(since, until)
    for (const row of rows) {
      const key = `${row.minute} ${row.outcome}`
      const entry = totals.get(key)
      if (entry) entry[2] += Number(row.count)
      else totals.set(key, [Number(row.minute), String(row.outcome), Number(row.count)])
    }
  }
  return [...totals.values()].sort((a, b) => a[0] - b[0])
}

/**
 * This slot's records received before `olderThan`, in chunks (appends wait between them, not behind the
 * whole prune), then the per-minute counts and every segment that holds nothing newer.
 */
function prune(olderThan: number): number {
  const chunk = own.db.prepare(
    `DELETE FROM deliveries WHERE (received_at, id) IN
       (SELECT received_at, id FROM deliveries WHERE received_at < ? LIMIT 5000)`,
  )
  let deleted = 0
  for (;;) {
    const changes = Number(chunk.run(olderThan).changes)
    deleted += changes
    if (changes < 5000) break
  }
  own.db.prepare('DELETE FROM delivery_stats WHERE minute < ?').run(olderThan)
  const old = own.db
    .prepare('SELECT segment FROM segments WHERE newest_at < ? AND segment <> ?')
    .all(olderThan, segment.number)
  for (const { segment: number } of old) {
    const path = join(own.dir, segmentName(Number(number)))
    if (existsSync(path)) unlinkSync(path)
    own.db.prepare('DELETE FROM segments WHERE segment = ?').run(Number(number))
  }
  return deleted
}

/**
 * The first slot no live process writes: `writer.pid` names the process that owns a slot, and a slot whose
 * owner is gone (killed, or this very pid after a container restart, unless another log of this process
 * holds it) is taken over.
 */
function openOwnSlot(): { slot: string; dir: string; db: DatabaseSync } {
  mkdirSync(settings.directory, { recursive: true })
  for (let index = 0; ; index += 1) {
    const slot = String(index)
    const dir = join(settings.directory, slot)
    mkdirSync(dir, { recursive: true })
    if (!claimSlot(dir)) continue
    const db = new DatabaseSync(join(dir, INDEX_FILE))
    // A small page cache: the index is appended to, and read only by the inspector.
    db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -512',
    )
    db.exec(SCHEMA)
    addMissingColumns(db)
    return { slot, dir, db }
  }
}

/**
 * An index written before games were recorded has no `game` and `sandbox` columns (its table already exists,
 * so the schema leaves it as it is): they are added, its records reading as no game, live.
 */
function addMissingColumns(db: DatabaseSync): void {
  const columns = columnsOf(db, 'deliveries')
  if (!columns.has('game')) db.exec('ALTER TABLE deliveries ADD COLUMN game TEXT')
  if (!columns.has('sandbox')) db.exec('ALTER TABLE deliveries ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0')
}

function columnsOf(db: DatabaseSync, table: string): Set<string> {
  return new Set(
    db
      .prepare(`PRAGMA table_info(${table})`)
      .all()
      .map((row) => String(row.name)),
  )
}

function hasColumns(db: DatabaseSync, table: string, names: readonly string[]): boolean {
  const columns = columnsOf(db, table)
  return names.every((name) => columns.has(name))
}

function claimSlot(dir: string): boolean {
  const lock = join(dir, LOCK_FILE)
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' })
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const owner = Number(readFileSync(lock, 'utf8'))
  const ours = owner === process.pid
  if (ours ? settings.heldInProcess.includes(basename(dir)) : isAlive(owner)) return false
  writeFileSync(lock, String(process.pid))
  return true
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

interface Segment {
  number: number
  fd: number
  size: number
}

function segmentName(number: number): string {
  return `${String(number).padStart(8, '0')}${SEGMENT_SUFFIX}`
}

function openNewestSegment(): Segment {
  const numbers = readdirSync(own.dir)
    .filter((name) => name.endsWith(SEGMENT_SUFFIX))
    .map((name) => Number(name.slice(0, -SEGMENT_SUFFIX.length)))
    .filter(Number.isInteger)
  return openSegment(numbers.length ? Math.max(...numbers) : 1)
}

function openSegment(number: number): Segment {
  const fd = openSync(join(own.dir, segmentName(number)), 'a')
  return { number, fd, size: fstatSync(fd).size }
}

function rotateSegment(): Segment {
  syncToDisk()
  closeSync(segment.fd)
  return openSegment(segment.number + 1)
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at)
}

/** Bounds what a power cut can take: the segment, then the index rows that point into it. */
function syncToDisk(): void {
  if (!unsynced) return
  unsynced = false
  fdatasyncSync(segment.fd)
  own.db.exec('PRAGMA wal_checkpoint(PASSIVE)')
}

/** Every slot's index, this one's own connection first; other slots are opened read-only once seen. */
function* slots(): Generator<[string, DatabaseSync]> {
  yield [own.slot, own.db]
  for (const slot of readdirSync(settings.directory)) {
    if (slot === own.slot || readers.has(slot)) continue
    const path = join(settings.directory, slot, INDEX_FILE)
    if (!existsSync(path)) continue
    const reader = new DatabaseSync(path, { readOnly: true })
    if (!hasColumns(reader, 'deliveries', RECORDED_COLUMNS)) {
      // A slot last written by an older version: its columns are added once, so every filter reads it.
      reader.close()
      const writable = new DatabaseSync(path)
      try {
        writable.exec('PRAGMA busy_timeout = 5000')
        addMissingColumns(writable)
      } finally {
        writable.close()
      }
      readers.set(slot, new DatabaseSync(path, { readOnly: true }))
    } else readers.set(slot, reader)
  }
  for (const [slot, db] of readers) yield [slot, db]
}

const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>()
function cached(db: DatabaseSync, sql: string): StatementSync {
  const byText = statements.get(db) ?? new Map<string, StatementSync>()
  statements.set(db, byText)
  const statement = byText.get(sql) ?? db.prepare(sql)
  byText.set(sql, statement)
  return statement
}

/**
 * Moves the delivery log of an older version (a table in the store's database) into this slot, a chunk at a
 * time between the batches of live deliveries, then tells the event loop, which deletes the old rows.
 */
async function copyLegacy(source: LegacySource): Promise<void> {
  if (!existsSync(source.path)) return done(0)
  const legacy = new DatabaseSync(source.path, { readOnly: true })
  try {
    const hasTable = legacy
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'delivery_log'")
      .get()
    if (!hasTable) return done(0)
    const progress = Number(
      own.db.prepare("SELECT value FROM meta WHERE name = 'legacy_rowid'").get()?.value ?? 0,
    )
    if (!own.db.prepare("SELECT 1 FROM meta WHERE name = 'legacy_stats'").get()) copyLegacyStats(legacy)
    const total = Number(
      legacy.prepare('SELECT count(*) AS n FROM delivery_log WHERE rowid > ?').get(progress)?.n,
    )
    // A database not yet migrated to record games reads as no game, live.
    const summary = hasColumns(legacy, 'delivery_log', RECORDED_COLUMNS)
      ? SUMMARY_COLUMNS
      : SUMMARY_COLUMNS.replace('game, sandbox', 'NULL AS game, 0 AS sandbox')
    const chunk = legacy.prepare(
      `SELECT rowid, ${summary}, headers, body, response_body FROM delivery_log WHERE rowid > ? ORDER BY rowid LIMIT 500`,
    )
    let after = progress
    let copied = 0
    for (;;) {
      const rows = chunk.all(after)
      if (rows.length === 0) break
      after = Number(rows.at(-1)!.rowid)
      inTransaction(() => {
        writeBatch(legacyBatch(rows), false)
        setMeta.run('legacy_rowid', String(after))
      })
      copied += rows.length
      tell({ type: 'legacy-progress', copied, total })
      // Lets live batches in between chunks.
      await new Promise((resolve) => setImmediate(resolve))
    }
    done(copied)
  } finally {
    legacy.close()
  }
}

function copyLegacyStats(legacy: DatabaseSync): void {
  const hasStats = legacy
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'delivery_stats'")
    .get()
  inTransaction(() => {
    if (hasStats)
      for (const row of legacy.prepare('SELECT minute, outcome, count FROM delivery_stats').all())
        addCount.run(Number(row.minute), String(row.outcome), Number(row.count))
    setMeta.run('legacy_stats', 'copied')
  })
}

function legacyBatch(rows: Record<string, SQLInputValue>[]): AppendBatch {
  const text = (value: SQLInputValue | undefined) =>
    value === null || value === undefined ? null : String(value)
  return encodeFrames(
    rows.map((row) => ({
      id: String(row.id),
      receivedAt: Number(row.received_at),
      method: String(row.method),
      path: String(row.path),
      headers: JSON.parse(String(row.headers)) as Record<string, string>,
      body: row.body === null ? null : (row.body as Uint8Array),
      outcome: String(row.outcome),
      eventId: text(row.event_id),
      eventType: text(row.event_type),
      key: text(row.idempotency_key),
      playerId: text(row.player_id),
      status: Number(row.status),
      responseBody: String(row.response_body),
      durationMs: Number(row.duration_ms),
      attempt: Number(row.attempt),
      duplicate: Number(row.duplicate) === 1,
      replayOf: text(row.replay_of),
      game: text(row.game),
      sandbox: Number(row.sandbox) === 1,
    })),
  )
}

function done(copied: number): void {
  tell({ type: 'legacy-done', copied })
}
