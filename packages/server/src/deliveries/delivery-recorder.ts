import { type Delivery, headerRecord, isEventType } from 'aghanim-webhooks'
import { type DeliveryInput, type DeliveryLog, newDeliveryId } from 'aghanim-webhooks/store'
import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'
import { createBodyArena } from './body-arena.js'
import { summaryJson } from './delivery-json.js'
import { deliveryOutcome, metricReason } from './outcome.js'
import { redactHeaders } from './redact-headers.js'

/**
 * Turns each answered request into a delivery log record, a metric, a log line and, while someone watches, a
 * live-stream event. The append runs in the background, so the answer to Aghanim never waits for it (the
 * grant itself is already committed with the idempotency record). Records are handed to the log in batches,
 * every `BATCH_DELAY_MS`, `BATCH_SIZE` records or `BATCH_BYTES` of bodies: one message and one transaction
 * per batch. An accepted delivery's record and `info` line are made with its batch, in one loop over the
 * batch: code run per request runs cold between the HTTP parser and the library, the same code run over a batch
 * runs warm (docs/benchmarks.md). What is needed at once is made at once: a warning's or an error's line, and
 * the record of a delivery someone watches or waits for. `flush` writes what is queued and waits for it (the
 * admin API calls it before reading, shutdown before the database closes). Internal.
 */
export interface DeliveryRecorder {
  onDelivery(delivery: Delivery): void
  /** Marks an in-process request (replay) so its record links to the delivery it re-sent. */
  markReplay(request: Request, replayOf: string): void
  /**
   * The id the delivery of the request with these headers will be logged under, assigned on first call, before the
   * answer (forward mode sends it to the backend as `x-aghanim-delivery-id`).
   */
  assignId(headers: Headers, at: number): string
  /** The delivery a request marked with `markReplay` re-sends, by the request's headers. */
  replayOf(headers: Headers): string | null
  /** The id given to the delivery of a request marked with `markReplay`, once answered. */
  idOf(request: Request): string | undefined
  /** Resolves when the record `id` is stored (or failed to be). */
  settled(id: string): Promise<void>
  flush(): Promise<void>
}

export interface RecorderDeps {
  /** The delivery log; it also counts each batch for the inspector's chart. */
  log: DeliveryLog
  metrics: Metrics
  logger: Logger
  /** Whether anyone follows the live stream: a summary is made for it only then. */
  watched: () => boolean
  publish: (summary: ReturnType<typeof summaryJson>) => void
}

const BATCH_DELAY_MS = 20
const BATCH_SIZE = 256
/**
 * Also written once the queued bodies reach this size, so one batch's buffer stays small enough to be reused
 * (256 bodies of 64 KiB would be 16 MB in one hand-over).
 */
const BATCH_BYTES = 1024 * 1024

type Queued = DeliveryInput & { id: string; game: string | null; sandbox: boolean }

/** The fields of the envelope a record keeps: the core's event, or what a refused body still says. */
type EnvelopeFields = { event_type?: unknown; event_id?: unknown; event_data?: unknown }

/**
 * A delivery waiting for its batch: what its record needs, copied out of it. The delivery itself holds its
 * parsed event, which a queue must not keep alive (a 64 KiB event's strings, copied by every scavenge until
 * the batch is written). `record` is made sooner only when something needs it sooner.
 */
interface Pending {
  receivedAt: number
  method: string
  url: string
  rawHeaders: readonly string[] | undefined
  /**
   * Set exactly when `rawHeaders` is not (fetch runtimes, where they are already built). No empty `Headers`
   * stands in for them: the first `Headers` loads Node's bundled undici, which a server on node:http never
   * needs otherwise.
   */
  headers: Headers | undefined
  body: Uint8Array | undefined
  outcome: string
  eventId: string | null
  eventType: string | null
  playerId: string | null
  key: string | null
  status: number
  responseBody: string
  durationMs: number
  attempt: number
  duplicate: boolean
  game: string | null
  sandbox: boolean
  record: Queued | undefined
  /** Its `info` line is written with the batch (a warning or an error was written at once). */
  lineWithBatch: boolean
}

/** A batch handed to the log: its records (searched only by the rare `settled`), and when it is stored. */
interface Written {
  records: readonly Queued[]
  done: Promise<void>
}

export function createDeliveryRecorder({
  log,
  metrics,
  logger,
  watched,
  publish,
}: RecorderDeps): DeliveryRecorder {
  // Keyed by the request's Headers object: the delivery carries it as is, while its `request` may be built
  // on first use (Node adapters), so reading that here would build a Request per delivery.
  const replays = new WeakMap<Headers, string>()
  const ids = new WeakMap<Headers, string>()
  const assigned = new WeakMap<Headers, string>()
  // Marks (replays, ids assigned early) not yet met by their delivery: while there are none, a delivery's
  // Headers are not looked up, so they need not be built.
  let marks = 0
  const inFlight = new Set<Written>()
  let queue: Pending[] = []
  let queuedBytes = 0
  let timer: NodeJS.Timeout | undefined
  const bodies = createBodyArena(BATCH_BYTES)

  // One promise per batch, not per record: a record's own wait (`settled`) is rare (replays).
  const writeQueued = () => {
    clearTimeout(timer)
    timer = undefined
    const pending = queue
    queue = []
    queuedBytes = 0
    if (pending.length === 0) return
    const lines = logger.isLevelEnabled('info')
    const batch = pending.map((entry) => {
      const record = entry.record ?? recordOf(entry, newDeliveryId(entry.receivedAt), null)
      if (entry.lineWithBatch && lines) logLine('info', 'delivery', record)
      return record
    })
    const release = bodies.seal()
    const written: Written = {
      records: batch,
      done: log.appendMany(batch).then(
        () => logWritable(),
        (error: unknown) => logUnwritable(error, batch.length),
      ),
    }
    inFlight.add(written)
    void written.done.then(() => {
      release()
      inFlight.delete(written)
    })
  }

  // A log that cannot be written (its database gone) is said once, not once per batch, and how many records
  // it lost when it can be written again.
  let lost = 0
  const logUnwritable = (error: unknown, records: number) => {
    if (lost === 0) logger.error({ err: error, deliveries: records }, 'could not write the delivery log')
    lost += records
  }
  const logWritable = () => {
    if (lost === 0) return
    logger.warn({ lost }, 'writing the delivery log again; the records it could not write are lost')
    lost = 0
  }

  // A body that does not fit in what is left of the arena's buffer starts the next batch; one larger than a
  // whole buffer is kept as it is.
  const queuedCopy = (body: Uint8Array | undefined) => {
    if (!body || body.length === 0) return body
    const copied = bodies.copy(body)
    if (copied || body.length > bodies.capacity) return copied ?? body
    writeQueued()
    return bodies.copy(body)
  }

  const enqueue = (entry: Pending) => {
    queue.push(entry)
    queuedBytes += entry.body?.length ?? 0
    if (queue.length >= BATCH_SIZE || queuedBytes >= BATCH_BYTES) writeQueued()
    else timer ??= setTimeout(writeQueued, BATCH_DELAY_MS)
  }

  const logLine = (level: LineLevel, message: string, record: Queued, error?: unknown) => {
    const line = {
      delivery: record.id,
      event_type: record.eventType,
      event_id: record.eventId,
      key: record.key,
      outcome: record.outcome,
      status: record.status,
      duration_ms: Math.round(record.durationMs * 100) / 100,
      attempt: record.attempt,
      duplicate: record.duplicate,
      ...(record.replayOf ? { replay_of: record.replayOf } : {}),
      // With several games, which one; a sandbox delivery says so.
      ...(record.game ? { game: record.game } : {}),
      ...(record.sandbox ? { sandbox: true } : {}),
    }
    logger[level](level === 'error' ? { ...line, err: error } : line, message)
  }

  return {
    onDelivery(delivery) {
      let id: string | undefined
      let replayOf: string | null = null
      if (marks > 0) {
        const headers = delivery.headers
        id = assigned.get(headers)
        replayOf = replays.get(headers) ?? null
        if (id !== undefined) {
          assigned.delete(headers)
          marks -= 1
        }
        if (replayOf) {
          replays.delete(headers)
          marks -= 1
        }
      }
      if (replayOf) {
        id ??= newDeliveryId(delivery.receivedAt)
        ids.set(delivery.headers, id)
      }
      const outcome = deliveryOutcome(delivery.outcome, delivery.status, delivery.responseBody)
      const envelope = delivery.event ?? peekEnvelope(delivery)
      const type = typeof envelope?.event_type === 'string' ? envelope.event_type : null
      metrics.observe({
        eventType: type === null ? 'none' : isEventType(type) ? type : 'unknown',
        outcome: metricReason(outcome),
        durationMs: delivery.durationMs,
        duplicate: delivery.duplicate,
      })
      const [level, message] = lineOf(outcome, delivery.status)
      const data = envelope?.event_data as { player_id?: unknown } | undefined
      const entry: Pending = {
        receivedAt: delivery.receivedAt,
        method: delivery.method,
        url: delivery.url,
        rawHeaders: delivery.rawHeaders,
        headers: delivery.rawHeaders ? undefined : delivery.headers,
        body: queuedCopy(delivery.body),
        outcome,
        eventId: typeof envelope?.event_id === 'string' ? envelope.event_id : null,
        eventType: type,
        playerId: typeof data?.player_id === 'string' ? data.player_id : null,
        key: delivery.key,
        status: delivery.status,
        responseBody: delivery.responseBody,
        durationMs: delivery.durationMs,
        attempt: delivery.attempt,
        duplicate: delivery.duplicate,
        game: delivery.game,
        sandbox: delivery.sandbox,
        record: undefined,
        lineWithBatch: level === 'info',
      }
      const watching = watched()
      if (id !== undefined || watching || level !== 'info') {
        entry.record = recordOf(entry, id ?? newDeliveryId(delivery.receivedAt), replayOf)
        if (watching) publish(summaryJson(entry.record))
        // A warning or an error is logged at once (the line is made only when its level is logged).
        if (level !== 'info' && logger.isLevelEnabled(level))
          logLine(level, message, entry.record, delivery.error)
      }
      enqueue(entry)
    },
    assignId(headers, at) {
      let id = assigned.get(headers)
      if (id === undefined) {
        id = newDeliveryId(at)
        assigned.set(headers, id)
        marks += 1
      }
      return id
    },
    markReplay(request, replayOf) {
      if (!replays.has(request.headers)) marks += 1
      replays.set(request.headers, replayOf)
    },
    replayOf: (headers) => replays.get(headers) ?? null,
    idOf: (request) => ids.get(request.headers),
    settled(id) {
      if (queue.some((entry) => entry.record?.id === id)) writeQueued()
      for (const written of inFlight)
        if (written.records.some((record) => record.id === id)) return written.done
      return Promise.resolve()
    },
    async flush() {
      writeQueued()
      await Promise.all([...inFlight].map((written) => written.done))
    },
  }
}

type LineLevel = 'info' | 'warn' | 'error'

/**
 * A delivery's log level and message. An outage's cause is logged once for the outage (database-health.ts),
 * not with every 503 it causes.
 */
function lineOf(outcome: string, status: number): readonly [LineLevel, string] {
  if (outcome === 'store_unavailable') return ['warn', 'delivery failed']
  if (status >= 500) return ['error', 'delivery failed']
  if (status >= 400) return ['warn', 'delivery refused']
  return ['info', 'delivery']
}

/** A delivery's log record, under `id`. */
function recordOf(entry: Pending, id: string, replayOf: string | null): Queued {
  // `headerRecord` reads `headers` only without raw lines, and then they are set.
  const headers = headerRecord({ rawHeaders: entry.rawHeaders, headers: entry.headers! })
  return {
    id,
    receivedAt: entry.receivedAt,
    method: entry.method,
    path: pathAndQuery(entry.url),
    headers: redactHeaders(headers),
    body: entry.body ?? null,
    outcome: entry.outcome,
    eventId: entry.eventId,
    eventType: entry.eventType,
    key: entry.key,
    playerId: entry.playerId,
    status: entry.status,
    responseBody: entry.responseBody,
    durationMs: entry.durationMs,
    attempt: entry.attempt,
    duplicate: entry.duplicate,
    replayOf,
    game: entry.game,
    sandbox: entry.sandbox,
  }
}

// The core hands over no event when the type is unknown or its data invalid; the (verified) body still says
// which event it was, and the log and the inspector should show it.
const PEEKABLE = new Set(['unknown_event_type', 'invalid_event_data', 'unknown_event_acknowledged'])

/** The path and query of an absolute URL, as the request target gave them (no URL object per delivery). */
export function pathAndQuery(url: string): string {
  const authority = url.indexOf('//')
  const start = authority === -1 ? -1 : url.indexOf('/', authority + 2)
  if (start === -1) return '/'
  const fragment = url.indexOf('#', start)
  return fragment === -1 ? url.slice(start) : url.slice(start, fragment)
}

function peekEnvelope(delivery: Delivery): EnvelopeFields | undefined {
  if (!PEEKABLE.has(delivery.outcome) || !delivery.body) return undefined
  try {
    const json = JSON.parse(new TextDecoder().decode(delivery.body)) as unknown
    return typeof json === 'object' && json !== null ? json : undefined
  } catch {
    return undefined
  }
}
