import type { ReconcileRunJson } from '../api/admin-api-types.js'
import { HttpError } from '../errors/server-errors.js'
import { queryLimit } from '../http/query-limit.js'
import { readJson, sendJson } from '../http/respond.js'
import type { RouteCall } from '../http/route-table.js'
import type { ReconcileRunRecord } from '../ledger/ledger.js'
import { ReconcileError, type Reconciler } from './reconciler.js'
import { S2sError } from './s2s-client.js'

export type { ReconcileRunJson }

export interface ReconcileApiDeps {
  reconciler: Reconciler
  lookbackMs: number
  now: () => number
}

const MAX_BODY = 16 * 1024
const NDJSON = 'application/x-ndjson'

type ReconcileCall = RouteCall<ReconcileApiDeps>

/** `GET /api/reconcile/runs?limit=&game=`: the latest runs. Internal. */
export async function reconcileRunsRoute({ req, res, url, deps }: ReconcileCall): Promise<void> {
  const limit = queryLimit(url.searchParams, 20, 200)
  const game = url.searchParams.get('game') ?? undefined
  const runs = await deps.reconciler.runs({ limit, ...(game === undefined ? {} : { game }) })
  sendJson(req, res, 200, { games: deps.reconciler.games, runs: runs.map(runJson) })
}

/**
 * `POST /api/reconcile` `{ since, until, game, fix, revoke, mark_handled }` runs one reconciliation and answers
 * `{ checked, missing, revoked_missing, fixed, … }`; with `Accept: application/x-ndjson` it streams
 * `{ progress }` lines first and the answer as a last `{ result }` (or `{ error }`) line. Internal.
 */
export async function reconcileRoute({ req, res, deps }: ReconcileCall): Promise<void> {
  const body = await readJson(req, MAX_BODY)
  const options = parseReconcileBody(body, deps)
  const stream = (req.headers.accept ?? '').includes(NDJSON)
  if (!stream) {
    const result = await deps.reconciler.run({ ...options, trigger: 'api' }).catch(rethrow)
    sendJson(req, res, 200, result)
    return
  }
  res.writeHead(200, { 'content-type': `${NDJSON}; charset=utf-8`, 'cache-control': 'no-store' })
  const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`)
  try {
    const result = await deps.reconciler.run({
      ...options,
      trigger: 'api',
      onProgress: (progress) => line({ progress }),
    })
    line({ result })
  } catch (error) {
    const known = toHttpError(error)
    line({
      error: {
        status: 'error',
        code: known?.code ?? 'internal_error',
        message: known?.message ?? 'The reconciliation failed; see the server log.',
      },
    })
  }
  res.end()
}

/** The run's options from the body; times are Unix seconds or ISO 8601, `until` defaults to now. */
export function parseReconcileBody(body: unknown, deps: Pick<ReconcileApiDeps, 'lookbackMs' | 'now'>) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('The body must be a JSON object such as {"since": "2026-12-01T00:00:00Z", "fix": true}.')
  const input = body as Record<string, unknown>
  const known = new Set(['since', 'until', 'game', 'fix', 'revoke', 'mark_handled'])
  const unknown = Object.keys(input).filter((name) => !known.has(name))
  if (unknown.length > 0)
    throw invalid(`Unknown field ${JSON.stringify(unknown[0])}; expected ${[...known].join(', ')}.`)
  const nowSeconds = Math.floor(deps.now() / 1000)
  const until = input.until === undefined || input.until === null ? nowSeconds : seconds('until', input.until)
  const since =
    input.since === undefined || input.since === null
      ? until - Math.floor(deps.lookbackMs / 1000)
      : seconds('since', input.since)
  if (since >= until) throw invalid('since must be before until.')
  if (until - since > 366 * 86_400) throw invalid('The window (since to until) must be at most 366 days.')
  if (input.game !== undefined && input.game !== null && typeof input.game !== 'string')
    throw invalid('game must be a string such as "gm_exTAyxPsVwh".')
  for (const name of ['fix', 'revoke', 'mark_handled'] as const)
    if (input[name] !== undefined && typeof input[name] !== 'boolean')
      throw invalid(`${name} must be true or false.`)
  return {
    since,
    until,
    ...(typeof input.game === 'string' ? { game: input.game } : {}),
    fix: input.fix === true,
    revoke: input.revoke === true,
    markHandled: input.mark_handled === true,
  }
}

function seconds(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) return Number(value)
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value)
    if (Number.isFinite(ms)) return Math.floor(ms / 1000)
  }
  throw invalid(
    `${name} must be Unix seconds or an ISO 8601 time such as 2026-12-02T10:00:00Z, got ${JSON.stringify(value)?.slice(0, 60)}.`,
  )
}

function invalid(message: string): HttpError {
  return new HttpError('invalid_reconcile', message)
}

function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error
  if (error instanceof ReconcileError || error instanceof S2sError)
    return new HttpError(error.code, error.message)
  return undefined
}

function rethrow(error: unknown): never {
  throw toHttpError(error) ?? error
}

function runJson(run: ReconcileRunRecord): ReconcileRunJson {
  return {
    id: run.id,
    game: run.game,
    trigger: run.trigger,
    started_at: new Date(run.startedAt).toISOString(),
    finished_at: new Date(run.finishedAt).toISOString(),
    since: run.since,
    until: run.until,
    fix: run.fix,
    checked: run.checked,
    missing: run.missing,
    revoked_missing: run.revokedMissing,
    fixed: run.fixed,
    error: run.error,
    result: run.result as ReconcileRunJson['result'],
  }
}
