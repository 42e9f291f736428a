import { formatIssues, playerVerifyAnswer } from 'aghanim-webhooks'
import { HttpError } from '../errors/server-errors.js'
import type { PlayerInput } from './ledger.js'

type Check = (value: unknown) => string | undefined

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const stringOrNull =
  (max: number): Check =>
  (value) =>
    value === null || (typeof value === 'string' && value.length <= max)
      ? undefined
      : `a string of at most ${max} characters, or null`

const FIELDS: Record<keyof PlayerInput, Check> = {
  name: (value) =>
    typeof value === 'string' && value.length > 0 && value.length <= 200
      ? undefined
      : 'a non-empty string (≤ 200 characters)',
  attributes: (value) => {
    if (!isObject(value)) return 'an object'
    // player.verify answers with these attributes: a value its schema refuses (level "high", or 1e309 stored as
    // null) would turn every later player.verify for this player into a 500.
    const checked = playerVerifyAnswer.parse({ player_id: 'p', name: 'p', attributes: value })
    return checked.ok
      ? undefined
      : `an object whose documented keys have their documented types (${formatIssues(checked.issues, 'player')})`
  },
  banned: (value) => (typeof value === 'boolean' ? undefined : 'true or false'),
  email: stringOrNull(320),
  avatar_url: stringOrNull(2048),
  country: (value) =>
    value === null || (typeof value === 'string' && /^[A-Z]{2}$/.test(value))
      ? undefined
      : 'an ISO 3166-1 alpha-2 code such as "US", or null',
  segments: (value) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? undefined
      : 'an array of strings',
  custom_attributes: (value) => (isObject(value) ? undefined : 'an object'),
}

/**
 * Validates the body of `PUT /api/players/:playerId`: only the documented player fields, each of the right type.
 * An unknown field is refused too, so a typo does not silently do nothing. Internal.
 *
 * @example parsePlayerInput({ name: 'Molly', banned: false }) // { name: 'Molly', banned: false }
 */
export function parsePlayerInput(body: unknown): PlayerInput {
  if (!isObject(body)) throw invalid('The body must be a JSON object of player fields.')
  const input: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(body)) {
    const check = (FIELDS as Record<string, Check | undefined>)[name]
    if (!check || !Object.hasOwn(FIELDS, name)) {
      throw invalid(
        `Unknown player field ${JSON.stringify(name)}; expected ${Object.keys(FIELDS).join(', ')}.`,
      )
    }
    const expected = check(value)
    if (expected) throw invalid(`${name} must be ${expected}.`)
    input[name] = value
  }
  return input as PlayerInput
}

/** A player id from the URL: 1 to 128 characters, no control characters. */
export function parsePlayerId(raw: string): string {
  let id: string
  try {
    id = decodeURIComponent(raw)
  } catch {
    throw invalid('The player id is not valid percent-encoding.')
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (id.length === 0 || id.length > 128 || /[\u0000-\u001f\u007f]/.test(id)) {
    throw invalid('The player id must be 1 to 128 printable characters.')
  }
  return id
}

function invalid(message: string): HttpError {
  return new HttpError('invalid_player', message)
}
