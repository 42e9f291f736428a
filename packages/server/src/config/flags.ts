import { parseArgs } from 'node:util'
import { ConfigError } from './config-error.js'

/** The `serve` flags; each mirrors an environment variable (see docs/server.md). */
export const serveOptions = {
  port: { type: 'string' },
  host: { type: 'string' },
  path: { type: 'string' },
  'database-url': { type: 'string' },
  'database-schema': { type: 'string' },
  secret: { type: 'string' },
  game: { type: 'string', multiple: true },
  sandbox: { type: 'string' },
  'admin-token': { type: 'string' },
  handlers: { type: 'string' },
  workers: { type: 'string' },
  'unknown-events': { type: 'string' },
  catalogue: { type: 'string' },
  'log-level': { type: 'string' },
  'data-dir': { type: 'string' },
  'env-file': { type: 'string' },
  'forward-to': { type: 'string', multiple: true },
  'forward-sandbox-to': { type: 'string', multiple: true },
  'forward-secret': { type: 'string' },
  'forward-timeout-ms': { type: 'string' },
  'forward-async': { type: 'string' },
  'listen-mode': { type: 'string' },
  'listen-timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export type ServeFlags = Partial<
  Record<Exclude<keyof typeof serveOptions, 'help' | 'forward-to' | 'forward-sandbox-to' | 'game'>, string>
> & {
  help?: boolean
  'forward-to'?: string[]
  'forward-sandbox-to'?: string[]
  game?: string[]
}

/** Parses `serve` flags strictly: an unknown flag or a stray argument is a `ConfigError`, not a silent default. Internal. */
export function parseServeFlags(argv: readonly string[]): ServeFlags {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: serveOptions,
      strict: true,
      allowPositionals: false,
    })
    return values as ServeFlags
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.split('\n')[0]} (see --help).`)
  }
}

export const serveUsage = `Usage: aghanim-webhooks serve [options]

Receive Aghanim webhooks on POST /webhook with a player/inventory ledger, admin API, metrics and inspector.
Every flag mirrors an environment variable (flags win; a .env file in the working directory is read too).

  --port N                  PORT                  listen port (default 8000; 0 picks a free one)
  --host H                  HOST                  interface to listen on (default: all)
  --path P                  WEBHOOK_PATH          webhook path (default /webhook)
  --database-url URL        DATABASE_URL          postgres://… or sqlite:FILE (default sqlite:./data/aghanim-webhooks.db)
  --database-schema S       DATABASE_SCHEMA       PostgreSQL schema (default public)
  --secret S[,S2]           AGHANIM_WEBHOOK_SECRET  webhook secret(s), comma-separated during rotation
  --game G=S[,S2]           AGHANIM_GAME_SECRETS  several games: gm_a=whsec_1,whsec_1b;gm_b=whsec_2 (repeat --game)
  --sandbox MODE            SANDBOX               sandbox deliveries: separate (own ledger, default), accept, reject
  --admin-token T           ADMIN_TOKEN           bearer token for /api/ (without: loopback clients only)
  --handlers FILE           AGHANIM_HANDLERS      your handlers module (.js, or .ts on Node 22.18+)
  --workers N               WORKERS               processes (node:cluster), e.g. one per core
  --unknown-events MODE     UNKNOWN_EVENTS        reject (400, default) or acknowledge (200)
  --catalogue FILE          STORE_CATALOGUE       store.get catalogue JSON
  --log-level L             LOG_LEVEL             fatal|error|warn|info|debug|trace|silent (default info)
  --data-dir DIR            DATA_DIR              embedded database and generated secret (default ./data)
  --env-file FILE                                 read this file instead of ./.env
                            OTEL_EXPORTER_OTLP_ENDPOINT  export OpenTelemetry traces as OTLP/HTTP (e.g. http://collector:4318)

Reconciliation against Aghanim's S2S API (docs/reconcile.md):
                            AGHANIM_API_KEY       the game's S2S API key (several games: AGHANIM_GAME_API_KEYS=gm_a=k;gm_b=k)
                            RECONCILE_EVERY       grant paid orders the ledger never granted, e.g. every 15m (default off)
                            RECONCILE_LOOKBACK    how far back a scheduled run looks (default 72h)

Forward mode (your backend in any language behind the verified, exactly-once front door; docs/forward.md):
  --forward-to [PATTERN=]URL  FORWARD_TO          POST verified deliveries there (repeat: item.*=URL, *=URL)
  --forward-sandbox-to [PATTERN=]URL  FORWARD_SANDBOX_TO  sandbox deliveries there instead (default: --forward-to)
  --forward-secret S[,S2]   FORWARD_SECRET        secret the forwarded calls are signed with (first signs)
  --forward-timeout-ms N    FORWARD_TIMEOUT_MS    how long to wait for the backend (default 10000)
  --forward-async notifications  FORWARD_ASYNC    answer notifications once stored, deliver with retries

Developers' laptops (\`aghanim-webhooks listen\`; docs/cli.md):
  --listen-mode MODE        LISTEN_MODE           mirror (default: listeners get a copy), tunnel (the laptop
                                                  answers what its filter takes), off (no listeners)
  --listen-timeout-ms N     LISTEN_TIMEOUT_MS     tunnel: how long to wait for the laptop (default 10000)

Examples:
  aghanim-webhooks serve
  AGHANIM_WEBHOOK_SECRET=whsec_… ADMIN_TOKEN=… aghanim-webhooks serve --workers 2
  aghanim-webhooks serve --database-url postgres://app@db/shop --handlers ./handlers.js
  aghanim-webhooks serve --forward-to http://game-backend:8080/aghanim --forward-secret fwd_…
`
