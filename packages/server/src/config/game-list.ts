import { ConfigError } from './config-error.js'

/** One game of a `gm_a=v1,v2;gm_b=v3` setting: its Aghanim id and its values (secrets, keys), first first. */
export interface GameEntry {
  game: string
  values: string[]
}

/** What a game id may be: Aghanim's are `gm_` and letters; the ledger scope and key prefixes rely on no `:` or `/`. */
const GAME_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Parses the per-game form shared by `AGHANIM_GAME_SECRETS` and `AGHANIM_GAME_API_KEYS`: games separated by
 * `;`, a game's id and values by `=`, its values by `,` (several during a rotation). `value` may be one string
 * or the values of a repeated flag (`--game gm_a=…`, each of which may hold several games too). Throws a
 * `ConfigError` naming `setting` and the game, never a value (they are secrets). Internal.
 *
 * @example parseGameList('AGHANIM_GAME_SECRETS', 'gm_a=whsec_1,whsec_1b;gm_b=whsec_2')
 * // [{ game: 'gm_a', values: ['whsec_1', 'whsec_1b'] }, { game: 'gm_b', values: ['whsec_2'] }]
 */
export function parseGameList(setting: string, value: string | readonly string[] | undefined): GameEntry[] {
  const parts = (typeof value === 'string' ? [value] : (value ?? [])).flatMap((text) => text.split(';'))
  const games: GameEntry[] = []
  for (const part of parts) {
    if (part.trim() === '') continue
    const equals = part.indexOf('=')
    const game = (equals < 0 ? part : part.slice(0, equals)).trim()
    if (equals < 0 || !GAME_ID.test(game)) {
      throw new ConfigError(
        `${setting} must list games as gm_a=value1,value2;gm_b=value3 (a game id of letters, digits, _ or -, then =), got an entry ${equals < 0 ? 'without =' : `with game id ${JSON.stringify(game.slice(0, 64))}`}.`,
      )
    }
    const values = part
      .slice(equals + 1)
      .split(',')
      .map((item) => item.trim())
    if (values.some((item) => item === ''))
      throw new ConfigError(`${setting}: game ${game} has an empty value (check for a stray comma or =).`)
    if (games.some((entry) => entry.game === game))
      throw new ConfigError(
        `${setting}: game ${game} is listed twice; list each game once, its values by commas.`,
      )
    games.push({ game, values })
  }
  return games
}

/** Whether `value` can be a game id (the `?game=` of the admin API is checked with it). Internal. */
export function isGameId(value: string): boolean {
  return GAME_ID.test(value)
}
