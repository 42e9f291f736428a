import { ledgerScope } from 'aghanim-webhooks'
import type { SandboxPolicy } from '../config/config.js'
import { HttpError } from '../errors/server-errors.js'

/** What the admin API knows of the games: their ids (empty: one unnamed game) and the sandbox policy. */
export interface AdminGames {
  names: readonly string[]
  sandbox: SandboxPolicy
}

/**
 * The game a request names (`?game=gm_a`), or the only one when it names none; `null` for the unnamed game.
 * An unknown game, or none when several are configured, is a 400 naming the choices. Internal.
 */
export function requestGame(params: URLSearchParams, games: AdminGames): string | null {
  const game = params.get('game')
  if (games.names.length === 0) {
    if (game === null || game === '') return null
    throw new HttpError(
      'unknown_game',
      'This server serves one game (AGHANIM_WEBHOOK_SECRET): leave out ?game=, or name the games in AGHANIM_GAME_SECRETS.',
    )
  }
  if (game === null || game === '') {
    if (games.names.length === 1) return games.names[0]!
    throw new HttpError('game_required', `Name the game with ?game= (one of ${games.names.join(', ')}).`)
  }
  if (!games.names.includes(game))
    throw new HttpError(
      'unknown_game',
      `No game ${JSON.stringify(game.slice(0, 64))} here; the games are ${games.names.join(', ')}.`,
    )
  return game
}

/**
 * The ledger scope a players route reads and writes: the request's game, its sandbox ledger with `&sandbox=true`
 * (only `SANDBOX=separate` keeps one). Internal.
 */
export function requestScope(params: URLSearchParams, games: AdminGames): string {
  const game = requestGame(params, games)
  const sandbox = params.get('sandbox')
  if (sandbox === null || sandbox === '' || sandbox === 'false') return ledgerScope(game, false)
  if (sandbox !== 'true')
    throw new HttpError(
      'invalid_query',
      `sandbox must be true or false, got ${JSON.stringify(sandbox.slice(0, 20))}.`,
    )
  if (games.sandbox !== 'separate')
    throw new HttpError(
      'invalid_query',
      `SANDBOX=${games.sandbox} keeps no sandbox ledger${games.sandbox === 'accept' ? ' (sandbox purchases are in the live one)' : ''}: leave out sandbox=true.`,
    )
  return ledgerScope(game, true)
}

/**
 * The game and sandbox filters of a deliveries route: `?game=` validated as the player routes do (an unknown game
 * is a 400 `unknown_game`), but no `game` means every game's deliveries; `&sandbox=true|false` only sandbox or
 * only live ones, whatever the policy (the flag is the delivery's, not a ledger's). Internal.
 */
export function deliveryScope(
  params: URLSearchParams,
  games: AdminGames,
): { game?: string; sandbox?: boolean } {
  const scope: { game?: string; sandbox?: boolean } = {}
  const game = params.get('game')
  if (game !== null && game !== '') scope.game = requestGame(params, games) ?? undefined
  const sandbox = params.get('sandbox')
  if (sandbox === 'true' || sandbox === 'false') scope.sandbox = sandbox === 'true'
  else if (sandbox !== null && sandbox !== '')
    throw new HttpError(
      'invalid_query',
      `sandbox must be true or false, got ${JSON.stringify(sandbox.slice(0, 20))}.`,
    )
  return scope
}

/** Whether a delivery summary is within a deliveries route's game and sandbox filters. Internal. */
export function inDeliveryScope(
  summary: { game: string | null; sandbox: boolean },
  scope: { game?: string; sandbox?: boolean },
): boolean {
  return (
    (scope.game === undefined || summary.game === scope.game) &&
    (scope.sandbox === undefined || summary.sandbox === scope.sandbox)
  )
}
