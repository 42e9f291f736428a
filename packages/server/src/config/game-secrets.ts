import type { WebhookHandlerOptions } from 'aghanim-webhooks'
import type { ServerConfig } from './config.js'

/** The library's secret options for the configured games: `secrets` per game, or the unnamed game's `secret`. Internal. */
export function webhookSecretOptions(
  config: Pick<ServerConfig, 'games' | 'secrets'>,
): Pick<WebhookHandlerOptions, 'secret' | 'secrets'> {
  if (config.games.length === 0) return { secret: config.secrets }
  return { secrets: Object.fromEntries(config.games.map(({ game, secrets }) => [game, secrets])) }
}

/**
 * The secret the server signs its own in-process deliveries with (replays, batch lines): the current secret of
 * `game`, else of the first game; the unnamed game's when no game is named. Internal.
 */
export function signingSecret(config: Pick<ServerConfig, 'games' | 'secrets'>, game: string | null): string {
  if (config.games.length === 0) return config.secrets[0]!
  const entry = config.games.find((candidate) => candidate.game === game) ?? config.games[0]!
  return entry.secrets[0]!
}
