import { isAbsolute, join, resolve } from 'node:path'
import { type ForwardConfig, resolveForwardConfig } from '../forward/forward-config.js'
import { type ReconcileConfig, resolveReconcileConfig } from '../reconcile/reconcile-config.js'
import { ConfigError } from './config-error.js'
import { type DatabaseConfig, parseDatabaseUrl } from './database-url.js'
import { readDotEnv } from './dot-env.js'
import { parseServeFlags, type ServeFlags } from './flags.js'
import { parseGameList } from './game-list.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/** Everything `startServer` needs, resolved from flags, the environment and `.env` (in that order of precedence). */
export interface ServerConfig {
  port: number
  /** Interface to listen on; undefined listens on all interfaces (IPv4 and IPv6). */
  host: string | undefined
  webhookPath: string
  database: DatabaseConfig
  /** How long start-up waits for the database (PostgreSQL not accepting connections yet, an SQLite file locked). */
  databaseWaitMs: number
  /**
   * Accepted webhook secrets of the one unnamed game (`AGHANIM_WEBHOOK_SECRET`), newest first; empty until a
   * development start generates one, and when `games` names the games.
   */
  secrets: string[]
  /**
   * The games this receiver serves, each with its secrets (`AGHANIM_GAME_SECRETS`, `--game`); the matching
   * secret names a delivery's game. Empty: one unnamed game, whose secrets are `secrets`.
   */
  games: GameSecrets[]
  /** What sandbox deliveries (`sandbox: true`) do: a ledger of their own per game, the live one, or a 403. */
  sandbox: SandboxPolicy
  /** Bearer token for `/api/`; without one the admin API only answers loopback clients. */
  adminToken: string | undefined
  /** Absolute path of the studio's handlers module (`--handlers`). */
  handlersPath: string | undefined
  workers: number
  unknownEvents: 'reject' | 'acknowledge'
  /** Absolute path of the store.get catalogue JSON (`--catalogue`); undefined uses the built-in list. */
  cataloguePath: string | undefined
  logLevel: LogLevel
  production: boolean
  /** Where the embedded database and a generated development secret live. */
  dataDir: string
  maxBodyBytes: number
  /** Deadline for a whole request to arrive (slow uploads), and for its headers. */
  requestTimeoutMs: number
  headersTimeoutMs: number
  batch: BatchConfig
  /** Days to keep delivery log records (0 keeps them forever) and settled idempotency keys. */
  retention: { deliveryDays: number; keyDays: number }
  /** Seeds player `testplayer` so the docs' test request succeeds (development starts only). */
  seedTestPlayer: boolean
  /** Forward mode (`--forward-to`): the backend that answers instead of the reference ledger. */
  forward: ForwardConfig | undefined
  /** OpenTelemetry traces, exported as OTLP/HTTP; undefined when no OTLP endpoint is set. */
  tracing: TracingConfig | undefined
  /** `aghanim-webhooks listen`: what connected listeners get (`--listen-mode`) and how long a tunnel waits. */
  listen: ListenConfig
  /** Reconciliation against Aghanim's S2S API (docs/reconcile.md). */
  reconcile: ReconcileConfig
}

/**
 * `off`: no listener may connect (404); `mirror`: listeners get a copy of each delivery the server answered;
 * `tunnel`: a delivery a connected listener's filter takes is answered with the laptop's answer.
 */
export type ListenMode = 'off' | 'mirror' | 'tunnel'

export interface ListenConfig {
  mode: ListenMode
  /** How long a tunnelled delivery waits for the laptop's answer before a retryable 504. */
  timeoutMs: number
}

export interface GameSecrets {
  game: string
  /** Newest first; several during a rotation. */
  secrets: string[]
}

export type SandboxPolicy = 'separate' | 'accept' | 'reject'

export interface TracingConfig {
  /** Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
  tracesUrl: string
  /** `OTEL_SERVICE_NAME`, default `aghanim-webhooks`. */
  serviceName: string
}

export interface BatchConfig {
  /** Host patterns a batch file may be downloaded from (`*.example.com`, `files.example.com:8443`). */
  allowedHosts: string[]
  maxBytes: number
  timeoutMs: number
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/**
 * Resolves the server configuration. Flags win over environment variables, which win over `<cwd>/.env`.
 * Throws `ConfigError` with a one-line message naming the setting when something is wrong.
 *
 * @example
 * const config = loadConfig(['--port', '0'], { AGHANIM_WEBHOOK_SECRET: 'whsec' }, process.cwd())
 */
export function loadConfig(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string,
): ServerConfig {
  const flags = parseServeFlags(argv)
  const merged = { ...readDotEnv(cwd, flags['env-file']), ...definedOnly(env) }
  return resolveConfig(flags, merged, cwd)
}

function resolveConfig(flags: ServeFlags, env: Record<string, string>, cwd: string): ServerConfig {
  const production = env.NODE_ENV === 'production'
  const dataDir = resolve(cwd, flags['data-dir'] ?? env.DATA_DIR ?? 'data')
  const parsed = parseDatabaseUrl(flags['database-url'] ?? env.DATABASE_URL, {
    cwd,
    dataDir,
    schema: flags['database-schema'] ?? env.DATABASE_SCHEMA,
    durability: env.SQLITE_DURABILITY,
  })
  const database =
    parsed.kind === 'postgres'
      ? {
          ...parsed,
          queryTimeoutMs: integer('DATABASE_TIMEOUT_MS', env.DATABASE_TIMEOUT_MS ?? '30000', 100, 3_600_000),
        }
      : parsed
  const secrets = splitList(flags.secret ?? env.AGHANIM_WEBHOOK_SECRET)
  const games = parseGameList(
    flags.game ? '--game' : 'AGHANIM_GAME_SECRETS',
    flags.game ?? env.AGHANIM_GAME_SECRETS,
  ).map(({ game, values }) => ({ game, secrets: values }))
  const owners = new Map<string, string>()
  for (const { game, secrets: own } of games)
    for (const secret of own) {
      const other = owners.get(secret)
      if (other !== undefined && other !== game)
        throw new ConfigError(
          `AGHANIM_GAME_SECRETS gives games ${other} and ${game} the same secret: the secret names the game, so each needs its own.`,
        )
      owners.set(secret, game)
    }
  if (games.length > 0 && secrets.length > 0) {
    throw new ConfigError(
      'AGHANIM_GAME_SECRETS (--game) and AGHANIM_WEBHOOK_SECRET (--secret) are exclusive: with several games, list every game with its secrets in AGHANIM_GAME_SECRETS.',
    )
  }
  const maxBodyBytes = integer(
    'MAX_BODY_BYTES',
    env.MAX_BODY_BYTES ?? String(1024 * 1024),
    1024,
    64 * 1024 * 1024,
  )
  const forward = resolveForwardConfig({
    to: flags['forward-to'] ?? env.FORWARD_TO,
    sandboxTo: flags['forward-sandbox-to'] ?? env.FORWARD_SANDBOX_TO,
    secret: flags['forward-secret'] ?? env.FORWARD_SECRET,
    timeoutMs: flags['forward-timeout-ms'] ?? env.FORWARD_TIMEOUT_MS,
    async: flags['forward-async'] ?? env.FORWARD_ASYNC,
    retrySchedule: env.FORWARD_RETRY_SCHEDULE,
    maxAnswerBytes: maxBodyBytes,
  })
  if (production && secrets.length === 0 && games.length === 0) {
    throw new ConfigError(
      'NODE_ENV=production needs a webhook secret: set AGHANIM_WEBHOOK_SECRET (Dashboard → Webhooks), pass --secret, or name the games in AGHANIM_GAME_SECRETS.',
    )
  }
  return {
    port: integer('PORT', flags.port ?? env.PORT ?? '8000', 0, 65535),
    host: nonEmpty(flags.host ?? env.HOST),
    webhookPath: webhookPath(flags.path ?? env.WEBHOOK_PATH ?? '/webhook'),
    database,
    secrets,
    games,
    sandbox: oneOf('--sandbox', flags.sandbox ?? env.SANDBOX ?? 'separate', [
      'separate',
      'accept',
      'reject',
    ] as const),
    adminToken: nonEmpty(flags['admin-token'] ?? env.ADMIN_TOKEN),
    handlersPath: optionalPath(cwd, flags.handlers ?? env.AGHANIM_HANDLERS),
    workers: integer('--workers', flags.workers ?? env.WORKERS ?? '1', 1, 256),
    unknownEvents: oneOf('--unknown-events', flags['unknown-events'] ?? env.UNKNOWN_EVENTS ?? 'reject', [
      'reject',
      'acknowledge',
    ] as const),
    cataloguePath: optionalPath(cwd, flags.catalogue ?? env.STORE_CATALOGUE),
    logLevel: oneOf('--log-level', flags['log-level'] ?? env.LOG_LEVEL ?? 'info', LOG_LEVELS),
    production,
    dataDir,
    maxBodyBytes,
    databaseWaitMs: integer('DATABASE_WAIT_MS', env.DATABASE_WAIT_MS ?? '30000', 0, 3_600_000),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS ?? '30000', 100, 600_000),
    headersTimeoutMs: integer('HEADERS_TIMEOUT_MS', env.HEADERS_TIMEOUT_MS ?? '10000', 100, 600_000),
    batch: {
      allowedHosts: splitList(env.BATCH_ALLOWED_HOSTS),
      maxBytes: integer('BATCH_MAX_BYTES', env.BATCH_MAX_BYTES ?? String(64 * 1024 * 1024), 1, 2 ** 31),
      timeoutMs: integer('BATCH_TIMEOUT_MS', env.BATCH_TIMEOUT_MS ?? '30000', 1, 3_600_000),
    },
    retention: {
      deliveryDays: integer('DELIVERY_RETENTION_DAYS', env.DELIVERY_RETENTION_DAYS ?? '30', 0, 36_500),
      // Keys must outlive Aghanim's retries and the 7-day replay window, or a late retry would grant again.
      keyDays: integer('KEY_RETENTION_DAYS', env.KEY_RETENTION_DAYS ?? '30', 8, 36_500),
    },
    seedTestPlayer: !production && forward === undefined,
    forward,
    tracing: tracingConfig(env),
    listen: {
      mode: oneOf('--listen-mode', flags['listen-mode'] ?? env.LISTEN_MODE ?? 'mirror', [
        'off',
        'mirror',
        'tunnel',
      ] as const),
      // Under the 60 s idempotency lease, like forward mode's timeout, so a retry cannot take the key over.
      timeoutMs: integer(
        'LISTEN_TIMEOUT_MS',
        flags['listen-timeout-ms'] ?? env.LISTEN_TIMEOUT_MS ?? '10000',
        1,
        50_000,
      ),
    },
    reconcile: resolveReconcileConfig(
      env,
      games.map(({ game }) => game),
    ),
  }
}

// OpenTelemetry's standard variables (the exporter reads OTEL_EXPORTER_OTLP_HEADERS itself).
function tracingConfig(env: Record<string, string | undefined>): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined
  const signal = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT)
  const tracesUrl = signal ?? (base && `${base.replace(/\/+$/, '')}/v1/traces`)
  if (!tracesUrl) return undefined
  if (!URL.canParse(tracesUrl) || !/^https?:$/.test(new URL(tracesUrl).protocol))
    throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_ variant) must be an http(s) URL.')
  return { tracesUrl, serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? 'aghanim-webhooks' }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value
  return out
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function optionalPath(cwd: string, value: string | undefined): string | undefined {
  const path = nonEmpty(value)
  if (path === undefined) return undefined
  return isAbsolute(path) ? path : join(cwd, path)
}

function integer(name: string, value: string, min: number, max: number): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ConfigError(
      `${name} must be a whole number between ${min} and ${max}, got ${JSON.stringify(value)}.`,
    )
  }
  return number
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`)
  }
  return value as T
}

function webhookPath(value: string): string {
  if (
    !/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(value) ||
    value.startsWith('/api/') ||
    value.startsWith('/inspector')
  ) {
    throw new ConfigError(
      `WEBHOOK_PATH must be a URL path such as /webhook (not under /api/ or /inspector), got ${JSON.stringify(value)}.`,
    )
  }
  return value
}
