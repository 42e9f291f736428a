import { randomBytes } from 'node:crypto'
import type { OwnWebhook } from '../deliveries/own-webhook.js'
import { jsonOrUndefined } from '../http/json-or-undefined.js'
import type { Ledger, ReconcileRunRecord } from '../ledger/ledger.js'
import type { Logger } from '../logging/logger.js'
import type { Metrics } from '../metrics/metrics.js'
import type { ReconcileConfig } from './reconcile-config.js'
import {
  type ReconcileProgress,
  type ReconcileRequest,
  type ReconcileResult,
  reconcile,
} from './reconcile-run.js'
import { createS2sClient, type S2sClient, type S2sError } from './s2s-client.js'
import { type SyntheticChange, syntheticRequest } from './synthetic-event.js'

/** Synthetic events go through the server's own webhook handler, idempotency, ledger and all. */
export interface ReconcilerDeps extends OwnWebhook {
  config: ReconcileConfig
  ledger: Ledger
  logger: Logger
  metrics: Metrics
  now: () => number
  fetch?: typeof globalThis.fetch
  sleep?: (ms: number) => Promise<void>
  /** Page size of `GET /v1/payments` (tests use small pages). */
  pageSize?: number
  /** S2S client tuning (tests make the backoff short). */
  s2s?: { perMinute?: number; backoffMs?: number; maxAttempts?: number }
}

export interface RunOptions {
  game?: string
  since: number
  until: number
  fix: boolean
  revoke: boolean
  markHandled: boolean
  trigger: ReconcileRunRecord['trigger']
  onProgress?: (progress: ReconcileProgress) => void
}

/** Reconciliation with its S2S clients (one per game), runs on demand and on `RECONCILE_EVERY`. Internal. */
export interface Reconciler {
  readonly games: readonly string[]
  /** Runs one reconciliation, stores it, counts it; throws `ReconcileError` (unknown game) or `S2sError`. */
  run(options: RunOptions): Promise<ReconcileResult>
  runs(options: { limit: number; game?: string }): Promise<ReconcileRunRecord[]>
  close(): Promise<void>
}

/** A request the reconciler cannot serve as asked (no key, unknown game). */
export class ReconcileError extends Error {
  override readonly name = 'ReconcileError'
  constructor(
    readonly code: 'reconcile_not_configured' | 'unknown_game',
    message: string,
  ) {
    super(message)
  }
}

const SCHEDULE_START_DELAY_MS = 10_000

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const clients = new Map<string, S2sClient>()
  const webhookGames = new Map(deps.config.games.map((entry) => [entry.game, entry.webhookGame]))
  for (const { game, apiKey } of deps.config.games) {
    clients.set(
      game,
      createS2sClient({
        baseUrl: deps.config.apiUrl,
        apiKey,
        fetch: deps.fetch,
        sleep: deps.sleep,
        now: deps.now,
        ...deps.s2s,
        onRetry: ({ status, attempt, waitMs }) =>
          deps.logger.warn(
            { game, status, attempt, waitMs },
            'the S2S API asked to wait (429) or failed; retrying',
          ),
      }),
    )
  }
  const games = [...clients.keys()]
  const running = new Set<Promise<unknown>>()

  async function run(options: RunOptions): Promise<ReconcileResult> {
    if (games.length === 0)
      throw new ReconcileError(
        'reconcile_not_configured',
        'Reconciliation needs the S2S API key: set AGHANIM_API_KEY (or AGHANIM_GAME_API_KEYS) and restart.',
      )
    const game = options.game ?? (games.length === 1 ? games[0]! : undefined)
    if (game === undefined)
      throw new ReconcileError('unknown_game', `Name the game to reconcile: one of ${games.join(', ')}.`)
    const s2s = clients.get(game)
    if (!s2s)
      throw new ReconcileError(
        'unknown_game',
        `No S2S API key for game ${JSON.stringify(game)}; configured: ${games.map((g) => g || "''").join(', ')}.`,
      )
    const webhookGame = webhookGames.get(game) ?? null
    const request: ReconcileRequest = {
      runId: `${deps.now().toString(36)}${randomBytes(4).toString('hex')}`,
      game,
      scope: webhookGame ?? '',
      webhookGame,
      since: options.since,
      until: options.until,
      fix: options.fix,
      revoke: options.revoke,
      markHandled: options.markHandled,
    }
    const startedAt = deps.now()
    const log = deps.logger.child({ reconcile: request.runId, game })
    log.info({ since: request.since, until: request.until, fix: request.fix }, 'reconciliation started')
    let lastLogged = startedAt
    const work = reconcile(request, {
      ledger: deps.ledger,
      s2s,
      pageSize: deps.pageSize,
      deliver: (change) => deliver(change),
      onProgress: (progress) => {
        options.onProgress?.(progress)
        // A long run says where it is every few seconds, not every page.
        if (deps.now() - lastLogged >= 5000) {
          lastLogged = deps.now()
          log.info(progress, 'reconciliation in progress')
        }
      },
    })
    running.add(work)
    try {
      const result = await work
      const fixedCount = result.fixed.filter(
        (entry) => entry.result === 'granted' || entry.result === 'revoked',
      ).length
      await store(request, options, startedAt, result, null)
      deps.metrics.reconciled({
        game,
        ok: true,
        missing: result.missing.length,
        revokedMissing: result.revoked_missing.length,
        fixed: fixedCount,
      })
      const summary = {
        checked: result.checked,
        missing: result.missing.length,
        revoked_missing: result.revoked_missing.length,
        fixed: fixedCount,
      }
      if (summary.missing > 0 || summary.revoked_missing > 0)
        log.warn(
          { ...summary, orders: result.missing.map((order) => order.order_id).slice(0, 50) },
          'reconciliation found orders the ledger does not match',
        )
      else log.info(summary, 'reconciliation finished')
      return result
    } catch (error) {
      deps.metrics.reconciled({ game, ok: false, missing: 0, revokedMissing: 0, fixed: 0 })
      const message = (error as Error).message
      log.error({ code: (error as S2sError).code }, `reconciliation failed: ${message}`)
      await store(request, options, startedAt, undefined, message).catch(() => {})
      throw error
    } finally {
      running.delete(work)
    }
  }

  async function deliver(change: SyntheticChange) {
    const request = await syntheticRequest(change, {
      webhookPath: deps.webhookPath,
      secret: deps.secret(change.webhookGame),
      now: deps.now(),
    })
    const response = await deps.handle(request)
    const text = await response.text()
    // Not `??`: an answer of `null` is JSON, and kept as such.
    const json = jsonOrUndefined(text)
    return { status: response.status, body: json === undefined ? text : json }
  }

  async function store(
    request: ReconcileRequest,
    options: RunOptions,
    startedAt: number,
    result: ReconcileResult | undefined,
    error: string | null,
  ) {
    await deps.ledger.recordReconcileRun({
      id: request.runId,
      game: request.game,
      trigger: options.trigger,
      startedAt,
      finishedAt: deps.now(),
      since: request.since,
      until: request.until,
      fix: request.fix,
      checked: result?.checked ?? 0,
      missing: result?.missing.length ?? 0,
      revokedMissing: result?.revoked_missing.length ?? 0,
      fixed: result?.fixed.length ?? 0,
      error,
      result: result ?? { error },
    })
  }

  const schedule = deps.config.everyMs === undefined ? undefined : startSchedule(deps.config.everyMs)

  function startSchedule(everyMs: number) {
    let timer: NodeJS.Timeout | undefined
    let stopped = false
    const tick = async () => {
      for (const game of games) {
        if (stopped) return
        try {
          // Another worker or instance that ran a moment ago did this game's work: runs overlap safely
          // (grants are per order), but each costs requests from the game's rate limit.
          const [last] = await deps.ledger.reconcileRuns({ game, limit: 1 })
          if (last && last.trigger === 'schedule' && deps.now() - last.startedAt < everyMs / 2) continue
          const until = Math.floor(deps.now() / 1000)
          await run({
            game,
            since: until - Math.floor(deps.config.lookbackMs / 1000),
            until,
            fix: true,
            revoke: false,
            markHandled: false,
            trigger: 'schedule',
          })
        } catch {
          // Logged and stored by run(); the next tick tries again.
        }
      }
    }
    const next = (delay: number) => {
      if (stopped) return
      timer = setTimeout(() => {
        const ticking = tick().finally(() => {
          running.delete(ticking)
          next(everyMs)
        })
        running.add(ticking)
      }, delay)
      timer.unref()
    }
    next(Math.min(everyMs, SCHEDULE_START_DELAY_MS))
    return {
      stop() {
        stopped = true
        clearTimeout(timer)
      },
    }
  }

  return {
    games,
    run,
    runs: (options) => deps.ledger.reconcileRuns(options),
    async close() {
      schedule?.stop()
      await Promise.allSettled([...running])
    },
  }
}
