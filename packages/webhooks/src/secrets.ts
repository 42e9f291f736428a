import { AghanimWebhookError } from './errors.js'

/**
 * The `secret` option as a list, checked when the receiver is mounted: a secret read from an unset environment
 * variable (`process.env.AGHANIM_WEBHOOK_SECRET!`) is `undefined`, and must fail at start with the option's
 * name and the fix, not with a `TypeError` on the first delivery. Internal.
 */
export function webhookSecrets(secret: unknown): string[] {
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...secret] : undefined
  if (list === undefined) throw invalidSecret(`is ${describe(secret)}`)
  if (list.length === 0) throw invalidSecret('is an empty list')
  list.forEach((value, index) => {
    const name = typeof secret === 'string' ? '' : ` (entry ${index})`
    if (typeof value !== 'string') throw invalidSecret(`${name} is ${describe(value)}`.trim())
    if (value.length === 0) throw invalidSecret(`${name} is an empty string`.trim())
  })
  return list
}

function invalidSecret(problem: string): AghanimWebhookError {
  return new AghanimWebhookError(
    'invalid_config',
    `The webhook option \`secret\` ${problem}. Pass the webhook secret from the Aghanim dashboard (a non-empty ` +
      'string, e.g. process.env.AGHANIM_WEBHOOK_SECRET — check that the variable is set), or a list of them ' +
      'during a rotation.',
  )
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value)
  return `a ${Array.isArray(value) ? 'list' : typeof value}`
}

/** The `secrets` option checked and flattened: every secret once, and the game each one names. Internal. */
export interface GameSecretList {
  secrets: string[]
  /** `games[i]` is the game of `secrets[i]`. */
  games: string[]
}

/**
 * The `secrets` option (`{ gm_a: ['whsec_1', 'whsec_1b'], gm_b: 'whsec_2' }`) as one list for the verifier, which
 * tries every secret in turn; the index of the one that matched names the game. Checked when the receiver is
 * mounted, like `secret`. Internal.
 */
export function webhookGameSecrets(option: unknown): GameSecretList {
  if (typeof option !== 'object' || option === null || Array.isArray(option))
    throw invalidGames(`is ${describe(option)}; pass an object of game ids to secrets`)
  const entries = Object.entries(option)
  if (entries.length === 0) throw invalidGames('names no game')
  const secrets: string[] = []
  const games: string[] = []
  const seen = new Map<string, string>()
  for (const [game, value] of entries) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(game))
      throw invalidGames(`has the game id ${JSON.stringify(game.slice(0, 64))}; use Aghanim's (gm_…)`)
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined
    if (list === undefined || list.length === 0) throw invalidGames(`gives game ${game} no secret`)
    for (const secret of list) {
      if (typeof secret !== 'string' || secret.length === 0)
        throw invalidGames(`gives game ${game} a secret that is ${describe(secret)} or empty`)
      // One secret for two games could not say which game signed: refuse it rather than guess.
      const other = seen.get(secret)
      if (other !== undefined && other !== game)
        throw invalidGames(`gives games ${other} and ${game} the same secret`)
      seen.set(secret, game)
      secrets.push(secret)
      games.push(game)
    }
  }
  return { secrets, games }
}

function invalidGames(problem: string): AghanimWebhookError {
  return new AghanimWebhookError(
    'invalid_config',
    `The webhook option \`secrets\` ${problem}: pass each game's webhook secrets by its Aghanim game id, e.g. { gm_a: [process.env.GM_A_SECRET], gm_b: process.env.GM_B_SECRET }.`,
  )
}
