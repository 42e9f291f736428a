import { createRouter, type Router, reply, signedHeaders } from 'aghanim-webhooks'
import type { BatchConfig } from '../config/config.js'
import { HttpError } from '../errors/server-errors.js'
import { jsonOrUndefined } from '../http/json-or-undefined.js'
import { downloadBatch } from './download.js'
import { hostAllowed } from './host-allowed.js'

export interface BatchDeps {
  config: BatchConfig
  webhookPath: string
  /** The server's own webhook handler: every line goes through the same verify → route → exactly-once path. */
  handle: () => (request: Request) => Promise<Response>
  /** The secret lines are signed with: the current one of the game whose secret verified the batch. */
  secret: (game: string | null) => string
  now: () => number
  fetch?: typeof globalThis.fetch
}

// The download URL's field name is not documented (REFERENCE §3.22): take the first of the likely names.
const URL_FIELDS = ['url', 'download_url', 'file_url', 'presigned_url', 'batch_url'] as const
// Lines run a few at a time: enough for group commit to batch them, few enough to keep order mostly intact.
const CONCURRENCY = 8

/**
 * `batch.ready`: downloads the JSONL file (allowed hosts only, size limit, timeout) and runs every line through
 * the server's own handler as a signed delivery, so each line keeps its own idempotency key and is logged.
 * Answers 2xx only when every line was answered 2xx; otherwise a non-final error, so Aghanim retries the batch and
 * the lines that already committed answer from the idempotency store.
 *
 * @example const router = createBatchRouter({ config, webhookPath: '/webhook', handle: () => handle, secret, now })
 */
export function createBatchRouter<Tx>(deps: BatchDeps): Router<Tx> {
  return createRouter<Tx>().on('batch.ready', async (event, { game }) => {
    const data = event.event_data as Record<string, unknown>
    const field = URL_FIELDS.find((name) => typeof data[name] === 'string')
    const url = field ? parseUrl(String(data[field])) : undefined
    if (!url)
      return failure(
        new HttpError(
          'invalid_event_data',
          `batch.ready has no http(s) download URL (looked for ${URL_FIELDS.join(', ')}).`,
        ),
      )
    if (!hostAllowed(url, deps.config.allowedHosts)) {
      return failure(
        new HttpError(
          'batch_host_not_allowed',
          `Batch downloads from ${url.host} are not allowed; add it to BATCH_ALLOWED_HOSTS.`,
        ),
      )
    }
    let file: Uint8Array
    try {
      file = await downloadBatch(url, { ...deps.config, fetch: deps.fetch ?? globalThis.fetch })
    } catch (error) {
      if (error instanceof HttpError) return failure(error)
      throw error
    }
    const lines = splitLines(file)
    const results = await runLines(lines, (line, index) =>
      deliverLine(deps, game, event.event_id, line, index + 1),
    )
    const failed = results.filter((result) => result.status < 200 || result.status >= 300)
    if (failed.length === 0) return undefined
    const first = failed[0]!
    const transient = failed.some((result) => result.status >= 500)
    return failure(
      new HttpError(
        'batch_incomplete',
        `${failed.length} of ${lines.length} batch lines were not accepted; line ${first.line} answered ${first.status} ${first.code}.`,
        // A retry can fix only a transient failure: with none, Aghanim should not retry the batch as is.
        { status: transient ? 503 : 400 },
      ),
    )
  })
}

interface LineResult {
  line: number
  status: number
  code: string
}

async function deliverLine(
  deps: BatchDeps,
  game: string | null,
  batchId: string,
  line: Uint8Array,
  number: number,
): Promise<LineResult> {
  const type = eventTypeOf(line)
  if (type === 'batch.ready') return { line: number, status: 400, code: 'nested_batch' }
  const timestamp = Math.floor(deps.now() / 1000)
  const path = `${deps.webhookPath}?batch=${encodeURIComponent(batchId)}&line=${number}`
  const request = new Request(new URL(path, 'http://batch.invalid'), {
    method: 'POST',
    body: new Uint8Array(line),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'aghanim-webhooks/batch',
      ...(await signedHeaders({ secret: deps.secret(game), timestamp, body: line })),
    },
  })
  const response = await deps.handle()(request)
  const text = await response.text()
  // An answer without a string `code` keeps the status-derived one.
  const answered = (jsonOrUndefined(text) as { code?: unknown } | null | undefined)?.code
  const code = typeof answered === 'string' ? answered : response.ok ? 'ok' : `http_${response.status}`
  return { line: number, status: response.status, code }
}

function eventTypeOf(line: Uint8Array): unknown {
  return (jsonOrUndefined(Buffer.from(line).toString('utf8')) as { event_type?: unknown } | null | undefined)
    ?.event_type
}

/** JSONL: one event per line; blank lines (and a trailing newline or CRLF) are ignored. The bytes stay as sent. */
function splitLines(file: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = []
  let start = 0
  for (let index = 0; index <= file.length; index++) {
    if (index < file.length && file[index] !== 0x0a) continue
    let end = index
    if (end > start && file[end - 1] === 0x0d) end--
    const line = file.subarray(start, end)
    if (line.some((byte) => byte !== 0x20 && byte !== 0x09)) lines.push(line)
    start = index + 1
  }
  return lines
}

async function runLines<T>(
  lines: Uint8Array[],
  run: (line: Uint8Array, index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(lines.length)
  let next = 0
  const worker = async () => {
    while (next < lines.length) {
      const index = next++
      results[index] = await run(lines[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lines.length) }, worker))
  return results
}

function parseUrl(value: string): URL | undefined {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

function failure(error: HttpError) {
  return reply(error.status, { status: 'error', code: error.code, message: error.message })
}
