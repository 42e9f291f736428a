import { ConfigError } from '../config/config-error.js'

/** Reconciliation's settings (docs/reconcile.md); `games` is empty when no S2S API key is set. */
export interface ReconcileConfig {
  /** `AGHANIM_API_URL` (default https://api.aghanim.com/s2s). */
  apiUrl: string
  /** One entry per game: `AGHANIM_API_KEY` alone is game '' (the single-game server). */
  games: GameApiKey[]
  /** `RECONCILE_EVERY`: undefined when scheduled runs are off (the default). */
  everyMs: number | undefined
  /** `RECONCILE_LOOKBACK`: how far back a scheduled run looks (default 72h). */
  lookbackMs: number
}

export interface GameApiKey {
  /** The game as the admin API and the runs name it ('' for `AGHANIM_API_KEY`). */
  game: string
  apiKey: string
  /**
   * The game whose deliveries the webhook handler verifies (`AGHANIM_GAME_SECRETS`), whose secret signs the
   * synthetic events and whose live ledger they go to; null for a server with one unnamed game.
   */
  webhookGame: string | null
}

export const DEFAULT_API_URL = 'https://api.aghanim.com/s2s'
const DEFAULT_LOOKBACK = '72h'
const GAME_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Reads `AGHANIM_API_KEY` or `AGHANIM_GAME_API_KEYS` (`gm_a=key;gm_b=key`), `AGHANIM_API_URL`, `RECONCILE_EVERY`
 * and `RECONCILE_LOOKBACK`. Messages name the setting and the game, never a key. Internal.
 *
 * @example resolveReconcileConfig({ AGHANIM_API_KEY: 'sk_…', RECONCILE_EVERY: '15m' })
 */
export function resolveReconcileConfig(
  env: Record<string, string | undefined>,
  /** The games `AGHANIM_GAME_SECRETS` names (empty: one unnamed game). */
  webhookGames: readonly string[] = [],
): ReconcileConfig {
  const single = nonEmpty(env.AGHANIM_API_KEY)
  const perGame = nonEmpty(env.AGHANIM_GAME_API_KEYS)
  if (single && perGame)
    throw new ConfigError(
      'Set AGHANIM_API_KEY (one game) or AGHANIM_GAME_API_KEYS (gm_a=key;gm_b=key), not both.',
    )
  const keys = perGame ? gameKeys(perGame) : single ? [{ game: '', apiKey: single }] : []
  const games = keys.map((entry) => ({ ...entry, webhookGame: webhookGameOf(entry.game, webhookGames) }))
  const apiUrl = nonEmpty(env.AGHANIM_API_URL) ?? DEFAULT_API_URL
  if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol))
    throw new ConfigError(`AGHANIM_API_URL must be an http(s) URL, got ${JSON.stringify(apiUrl)}.`)
  const every = nonEmpty(env.RECONCILE_EVERY)
  const everyMs = every === undefined || every === 'off' ? undefined : duration('RECONCILE_EVERY', every)
  if (everyMs !== undefined && games.length === 0)
    throw new ConfigError(
      'RECONCILE_EVERY needs the S2S API key: set AGHANIM_API_KEY (or AGHANIM_GAME_API_KEYS).',
    )
  return {
    apiUrl,
    games,
    everyMs,
    lookbackMs: duration('RECONCILE_LOOKBACK', nonEmpty(env.RECONCILE_LOOKBACK) ?? DEFAULT_LOOKBACK),
  }
}

/** Which configured webhook game an S2S key reconciles: the same id, or with one key and one game, that game. */
function webhookGameOf(game: string, webhookGames: readonly string[]): string | null {
  if (webhookGames.length === 0) return null
  if (game === '') {
    if (webhookGames.length === 1) return webhookGames[0]!
    throw new ConfigError(
      `AGHANIM_API_KEY is one game's key, but AGHANIM_GAME_SECRETS names ${webhookGames.join(', ')}: give each its key in AGHANIM_GAME_API_KEYS (gm_a=key;gm_b=key).`,
    )
  }
  if (webhookGames.includes(game)) return game
  throw new ConfigError(
    `AGHANIM_GAME_API_KEYS names game ${game}, which AGHANIM_GAME_SECRETS does not (${webhookGames.join(', ')}).`,
  )
}

function gameKeys(value: string): Omit<GameApiKey, 'webhookGame'>[] {
  const games: Omit<GameApiKey, 'webhookGame'>[] = []
  for (const part of value.split(';')) {
    if (part.trim() === '') continue
    const at = part.indexOf('=')
    const game = (at < 0 ? part : part.slice(0, at)).trim()
    const apiKey = at < 0 ? '' : part.slice(at + 1).trim()
    if (!GAME_ID.test(game))
      throw new ConfigError(
        `AGHANIM_GAME_API_KEYS must read gm_a=key;gm_b=key, got a game id ${JSON.stringify(game.slice(0, 70))}.`,
      )
    if (apiKey === '' || /[\s,;]/.test(apiKey))
      throw new ConfigError(`AGHANIM_GAME_API_KEYS: game ${game} needs one API key after "=".`)
    if (games.some((entry) => entry.game === game))
      throw new ConfigError(`AGHANIM_GAME_API_KEYS names game ${game} twice.`)
    games.push({ game, apiKey })
  }
  if (games.length === 0) throw new ConfigError('AGHANIM_GAME_API_KEYS must read gm_a=key;gm_b=key.')
  return games
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `30s`, `15m`, `72h`, `7d`: a whole number and a unit, from one second to 366 days. Internal. */
export function duration(name: string, value: string): number {
  const match = /^(\d{1,6})(s|m|h|d)$/.exec(value.trim())
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : Number.NaN
  if (!(ms >= 1000 && ms <= 366 * UNITS.d!))
    throw new ConfigError(
      `${name} must be a duration such as 15m, 72h or 7d (1s to 366d), got ${JSON.stringify(value)}.`,
    )
  return ms
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
