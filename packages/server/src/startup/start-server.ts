import { createWebhookHandler, type WebhookHandlerOptions } from 'aghanim-webhooks'
import { aghanimWebhooks } from 'aghanim-webhooks/node'
import type { ServerConfig } from '../config/config.js'
import { ConfigError } from '../config/config-error.js'
import { signingSecret, webhookSecretOptions } from '../config/game-secrets.js'
import { createDatabaseHealth } from '../database/database-health.js'
import { guardLedger } from '../database/guard-ledger.js'
import type { ServerDatabase } from '../database/server-database.js'
import { openDatabaseWhenReady } from '../database/wait-for-database.js'
import type { DeliverySummaryJson } from '../deliveries/delivery-json.js'
import { createDeliveryRecorder } from '../deliveries/delivery-recorder.js'
import type { OwnWebhook } from '../deliveries/own-webhook.js'
import { createAttemptWriter } from '../forward/attempt-writer.js'
import { type RunningForward, startForward } from '../forward/start-forward.js'
import { buildRouter } from '../handlers/build-router.js'
import { startRetention } from '../housekeeping/retention.js'
import { createApp } from '../http/app.js'
import { createDeliveryStream } from '../http/delivery-stream.js'
import { listenHttp } from '../http/http-server.js'
import { trackRequests } from '../http/requests-in-flight.js'
import { inspectorRoot } from '../http/static-files.js'
import { withLivePlayers } from '../ledger/sandbox-players.js'
import { seedTestPlayer } from '../ledger/test-player.js'
import { type ListenAnswer, listenAnswerStoreOf } from '../listen/listen-answers.js'
import { createListenHub, type ListenCluster } from '../listen/listen-hub.js'
import { mirrorDelivery } from '../listen/mirror-delivery.js'
import { withTunnel } from '../listen/tunnel-router.js'
import { createLogger, type Logger } from '../logging/logger.js'
import { createMetrics, type MetricsSnapshot, renderMetrics } from '../metrics/metrics.js'
import { createReconciler, type ReconcilerDeps } from '../reconcile/reconciler.js'
import { startTracing } from '../telemetry/otlp-tracing.js'

/**
 * How long shutdown waits for requests still being handled once every socket is closed: the longest a
 * handler usually takes, the store's own in-flight wait included (10 s).
 */
const SHUTDOWN_DRAIN_MS = 10_000

export interface StartOptions {
  /** Defaults to JSON logs on `stdout` at the configured level. */
  logger?: Logger
  stdout?: { write(text: string): unknown }
  now?: () => number
  /** Used for batch downloads (tests inject it). */
  fetch?: typeof globalThis.fetch
  /** Where the inspector's files are (default: the package's built inspector). */
  inspectorRoot?: string
  /** `--workers`: how summaries reach every process's live stream, and how /metrics sums all processes. */
  cluster?: ClusterHooks
  /**
   * True when no other process serves from this database's file (`serve` without `--workers`): claims in
   * progress at start then belong to a process that died, and are released (SQLite; see
   * `ServerDatabase.releaseAbandonedClaims`). `--workers` does it once in the primary, before forking.
   */
  ownsDatabase?: boolean
  /** Reconciliation's S2S tuning (tests: small pages, short backoff). */
  reconcile?: Pick<ReconcilerDeps, 'pageSize' | 's2s' | 'sleep'>
}

/** How a `--workers` process shares live deliveries and metrics with the others (through the primary). */
export interface ClusterHooks {
  /** Called once at start with this process's own stream and metrics. */
  attach(local: { publish(summary: DeliverySummaryJson): void; snapshot(): MetricsSnapshot }): void
  /** Whether any process has a live-stream client (summaries are made and sent only then). */
  watched(): boolean
  /**
   * This process's live-stream clients, whenever their number changes; resolves once every process knows
   * whether anyone watches, so a client that just connected misses none of the deliveries after it.
   */
  liveClients(count: number): Promise<void>
  /** Sends a delivery summary to every process's live stream (this one included). */
  publish(summary: DeliverySummaryJson): void
  /** The metrics of all processes, summed. */
  collect(): Promise<MetricsSnapshot>
  /** How listeners connected to other processes are reached (`aghanim-webhooks listen`). */
  listen?: ListenCluster
}

/** A running server. `close()` stops accepting, finishes in-flight requests, then closes the database. */
export interface RunningServer {
  url: string
  port: number
  close(): Promise<void>
}

/**
 * Starts the webhook server: opens (and migrates) the database, builds the router (ledger, `--handlers`,
 * batch.ready), and listens. Resolves once it accepts connections.
 *
 * @example
 * const server = await startServer(loadConfig(['--port', '0'], { AGHANIM_WEBHOOK_SECRET: 's' }, dir))
 * await fetch(`${server.url}/healthz`)
 * await server.close()
 */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  if (config.secrets.length === 0 && config.games.length === 0)
    throw new ConfigError(
      'No webhook secret: set AGHANIM_WEBHOOK_SECRET or pass --secret (or AGHANIM_GAME_SECRETS for several games).',
    )
  const { now, logger, database } = await openServerDatabase(config, options)
  try {
    if (options.ownsDatabase) await releaseAbandonedClaims(database, logger)
    return await listen(config, database, logger, now, options)
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
}

/**
 * What the primary of `--workers` does before forking: opens the database (waiting for it as a single server
 * does), so that migrations run once, in one process, and not in N workers racing for SQLite's write lock on
 * a fresh file; and releases the claims of attempts that died with the previous process.
 */
export async function prepareDatabase(config: ServerConfig, options: StartOptions = {}): Promise<void> {
  const { logger, database } = await openServerDatabase(config, options)
  try {
    await releaseAbandonedClaims(database, logger)
  } finally {
    await database.close()
  }
}

/** The clock, the logger and the database (waited for up to `DATABASE_WAIT_MS`) a start needs. */
async function openServerDatabase(config: ServerConfig, options: StartOptions) {
  const now = options.now ?? Date.now
  const logger = options.logger ?? createLogger(config.logLevel, options.stdout ?? process.stdout)
  const database = await openDatabaseWhenReady(config.database, {
    now,
    waitMs: config.databaseWaitMs,
    logger,
  })
  try {
    await settleLedgerOwner(config, database, logger)
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
  return { now, logger, database }
}

/**
 * With named games, the first one takes over what the unnamed game kept (once, in one transaction; see
 * `ServerDatabase.nameLedger`). Without, a database whose ledger was named is refused: the unnamed game would
 * start from an empty ledger, and grant again what that game already granted.
 */
async function settleLedgerOwner(config: ServerConfig, database: ServerDatabase, logger: Logger) {
  if (config.games.length === 0) {
    const owner = await database.ledgerOwner()
    if (owner !== undefined)
      throw new ConfigError(
        `This database's ledger belongs to game ${owner} (AGHANIM_GAME_SECRETS named it): set AGHANIM_GAME_SECRETS=${owner}=<its secret> instead of AGHANIM_WEBHOOK_SECRET.`,
      )
    return
  }
  const first = config.games[0]!.game
  const { owner, moved } = await database.nameLedger(first)
  if (moved) logger.info({ game: owner }, 'the ledger belongs to the first game of AGHANIM_GAME_SECRETS')
  if (!config.games.some(({ game }) => game === owner))
    logger.warn(
      { game: owner },
      "the ledger kept before several games were configured belongs to a game AGHANIM_GAME_SECRETS does not list; it stays in that game's scope",
    )
}

async function releaseAbandonedClaims(database: ServerDatabase, logger: Logger): Promise<void> {
  const released = await database.releaseAbandonedClaims()
  if (released > 0)
    logger.warn(
      { released },
      'released the idempotency claims of attempts that died with the previous process',
    )
}

async function listen(
  config: ServerConfig,
  opened: ServerDatabase,
  logger: Logger,
  now: () => number,
  options: StartOptions,
): Promise<RunningServer> {
  let database = opened
  if (config.seedTestPlayer) await seedTestPlayer(database.ledger, config.games[0]?.game ?? '')
  const metrics = createMetrics()
  const health = createDatabaseHealth({ ping: () => database.ping(), logger, metrics, now })
  database = { ...database, ledger: withLivePlayers(guardLedger(database.ledger, health)) }
  const stream = createDeliveryStream((size) => {
    metrics.setSseClients(size)
    return options.cluster?.liveClients(size)
  })
  options.cluster?.attach({
    publish: (summary) => stream.publish(summary),
    snapshot: () => metrics.snapshot(),
  })
  const recorder = createDeliveryRecorder({
    log: database.deliveries,
    metrics,
    logger,
    watched: options.cluster ? () => options.cluster!.watched() : () => stream.size > 0,
    publish: options.cluster
      ? (summary) => options.cluster!.publish(summary)
      : (summary) => stream.publish(summary),
  })
  let handle: (request: Request) => Promise<Response> = () =>
    Promise.reject(new Error('The server is not ready.'))
  const secret = (game: string | null) => signingSecret(config, game)
  const forward: RunningForward | undefined = config.forward
    ? startForward(config, config.forward, {
        database,
        logger,
        metrics,
        now,
        deliveryId: (headers) => recorder.assignId(headers, now()),
      })
    : undefined
  const listenAnswers = config.listen.mode === 'off' ? undefined : listenAnswerStoreOf(database)
  const answerWriter =
    listenAnswers && createAttemptWriter<ListenAnswer>(listenAnswers, logger, 'listen answers')
  const hub =
    answerWriter &&
    createListenHub({
      mode: config.listen.mode,
      timeoutMs: config.listen.timeoutMs,
      now,
      record: (answer) => answerWriter.record(answer),
      cluster: options.cluster?.listen,
    })
  const mirror = hub?.mode === 'mirror' ? hub : undefined
  const built = await buildRouter(config, database, {
    handle: () => handle,
    secret,
    now,
    fetch: options.fetch,
    forward: forward?.layer,
  }).catch(async (error: unknown) => {
    await forward?.close()
    throw error
  })
  const router =
    hub?.mode === 'tunnel'
      ? withTunnel(built, {
          hub,
          deliveryId: (headers) => recorder.assignId(headers, now()),
          replayOf: (headers) => recorder.replayOf(headers),
          now,
        })
      : built
  const handlerOptions: WebhookHandlerOptions = {
    ...webhookSecretOptions(config),
    sandbox: config.sandbox,
    router,
    store: database.store,
    maxBodyBytes: config.maxBodyBytes,
    unknownEventType: config.unknownEvents,
    onDelivery: (delivery) => {
      if (delivery.outcome === 'store_unavailable') health.failed(delivery.error)
      if (mirror?.active) mirrorDelivery(mirror, delivery, recorder)
      return recorder.onDelivery(delivery)
    },
    now,
  }
  const tracing = await startTracing(config.tracing)
  if (tracing) handlerOptions.tracer = tracing.tracer
  handle = createWebhookHandler(handlerOptions)
  const ownWebhook: OwnWebhook = {
    handle: (request) => handle(request),
    webhookPath: config.webhookPath,
    secret,
  }
  const reconciler = createReconciler({
    ...ownWebhook,
    config: config.reconcile,
    ledger: database.ledger,
    logger,
    metrics,
    now,
    fetch: options.fetch,
    ...options.reconcile,
  })
  const webhook = aghanimWebhooks({
    ...handlerOptions,
    onMisconfiguration: (error) => logger.error({ code: error.code }, error.message),
  })

  let closing = false
  const requests = trackRequests()
  const app = createApp({
    webhookPath: config.webhookPath,
    webhook,
    requests,
    admin: {
      database,
      stream,
      adminToken: config.adminToken,
      production: config.production,
      now,
      logged: () => recorder.flush(),
      forward: forward?.api,
      games: { names: config.games.map(({ game }) => game), sandbox: config.sandbox },
      listen: hub &&
        listenAnswers && {
          hub,
          answers: listenAnswers,
          recorded: () => answerWriter.flush(),
          maxAnswerBytes: config.maxBodyBytes,
        },
      reconcile: { reconciler, lookbackMs: config.reconcile.lookbackMs, now },
      replay: {
        ...ownWebhook,
        deliveries: database.deliveries,
        recorder,
        games: config.games.map(({ game }) => game),
        now,
      },
    },
    ready: () => health.ready(),
    databaseFailed: (error) => health.failed(error),
    metrics: async () => {
      const snapshot = options.cluster ? await options.cluster.collect() : metrics.snapshot()
      return renderMetrics(
        snapshot,
        { residentBytes: process.memoryUsage.rss(), uptimeSeconds: process.uptime() },
        // A database that does not answer leaves the gauges out rather than failing the scrape.
        forward
          ? await forward.outboxCounts().then(
              (c) => outboxGauges(c, now()),
              () => undefined,
            )
          : undefined,
      )
    },
    inspectorRoot: options.inspectorRoot ?? inspectorRoot(),
    logger,
    closing: () => closing,
  })
  const http = await listenHttp(app, config).catch(async (error: unknown) => {
    await reconciler.close()
    await forward?.close()
    throw error
  })
  const { url, port } = http
  logger.info({ url, webhook: config.webhookPath, database: database.kind }, 'listening')
  if (config.tracing)
    logger.info({ traces: new URL(config.tracing.tracesUrl).origin }, 'exporting traces as OTLP/HTTP')
  // Start-up's lines before anything the caller prints (the banner): the log is written in batches.
  logger.flush()
  const retention = startRetention(config, database, logger, now, async (olderThan) => {
    const pruned = await Promise.all([forward?.pruneAttempts(olderThan), listenAnswers?.prune(olderThan)])
    return pruned.reduce<number>((sum, count) => sum + (count ?? 0), 0)
  })

  let closed: Promise<void> | undefined
  return {
    url,
    port,
    close() {
      closed ??= (async () => {
        closing = true
        stream.closeAll()
        hub?.closeAll()
        await http.stop()
        // A request whose client hung up is still being handled after its socket closed: its delivery is
        // logged before the log and the database close.
        await requests.drained(SHUTDOWN_DRAIN_MS)
        await reconciler.close()
        await forward?.close()
        await answerWriter?.flush()
        await recorder.flush()
        await retention.stop()
        health.stop()
        await database.close()
        await tracing
          ?.shutdown()
          .catch((error) => logger.warn({ err: error }, 'could not export the last spans'))
        logger.info('stopped')
        await new Promise<void>((resolve) => logger.flush(() => resolve()))
      })()
      return closed
    },
  }
}

function outboxGauges(
  counts: { pending: number; dead: number; oldestPendingAt: number | null },
  now: number,
) {
  const age = counts.oldestPendingAt === null ? 0 : Math.max(0, (now - counts.oldestPendingAt) / 1000)
  return { pending: counts.pending, dead: counts.dead, oldestPendingAgeSeconds: age }
}
