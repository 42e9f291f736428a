import { formatIssues, type Infer, type Issue, s } from '../schema.js'
import type { Catalogue, EventType } from './catalogue.js'
import { answerKindOf } from './catalogue.js'
import type { AnswerKind } from './define.js'

/** The player.verify approval: who the player is. Deny with `deny()` instead. */
export const playerVerifyAnswer = s.object({
  player_id: s.string({ minLength: 1 }),
  /** Nickname shown on the hub. */
  name: s.string(),
  /** Basic attributes; integrations add their own keys (e.g. `appsflyer_id`, `singular_device_id`). */
  attributes: s.openObject({
    level: s.optional(s.integer()),
    /** `ios`, `android`, `other`, ... */
    platform: s.optional(s.string()),
    marketplace: s.optional(s.string()),
    device_type: s.optional(s.string()),
    tags: s.optional(s.array(s.string())),
    soft_currency_amount: s.optional(s.integer()),
    hard_currency_amount: s.optional(s.integer()),
  }),
  avatar_url: s.optional(s.string()),
  email: s.optional(s.string()),
  /** Banned in the game. */
  banned: s.optional(s.boolean()),
  segments: s.optional(s.array(s.string())),
  /** ISO 3166-1 alpha-2. */
  country: s.optional(s.string()),
  custom_attributes: s.optional(s.openObject()),
  /** Virtual currency balances; only `sku` is documented. */
  balances: s.optional(s.array(s.openObject({ sku: s.string() }))),
})

/** The store.get answer: which SKUs to show this player, in order. */
export const storeGetAnswer = s.object({
  items: s.array(
    // Open: per-player overrides (price, name, image) exist but their field names are not documented.
    s.openObject({
      sku: s.string(),
      /** Unix seconds from which the item is shown. */
      start_at: s.optional(s.nullable(s.number())),
      /** Unix seconds after which it is hidden. */
      end_at: s.optional(s.nullable(s.number())),
    }),
  ),
})

const statusError = <const C extends readonly [string, ...string[]]>(codes: C) =>
  s.object({ status: s.literal('error'), code: s.enum(codes), message: s.string() })

/** The player.lookup answer, always sent with HTTP 200, success or not. */
export const playerLookupAnswer = s.union(
  s.object({
    status: s.literal('ok'),
    data: s.array(
      s.openObject({ name: s.string(), avatar_url: s.optional(s.string()), player: s.openObject() }),
    ),
  }),
  statusError(['not_found', 'invalid_signature', 'validation_error', 'banned']),
)

/** The player.update answer, always sent with HTTP 200. */
export const playerUpdateAnswer = s.union(
  s.object({ status: s.literal('ok') }),
  statusError(['not_found', 'invalid_signature', 'validation_error']),
)

export type PlayerVerifyAnswer = Infer<typeof playerVerifyAnswer>
export type StoreGetAnswer = Infer<typeof storeGetAnswer>
export type PlayerLookupAnswer = Infer<typeof playerLookupAnswer>
export type PlayerUpdateAnswer = Infer<typeof playerUpdateAnswer>

interface AnswerByKind {
  player: PlayerVerifyAnswer
  store: StoreGetAnswer
  lookup: PlayerLookupAnswer
  /** Nothing means `{"status":"ok"}`. */
  status: PlayerUpdateAnswer | undefined
  /** Whatever a notification handler returns is ignored (the answer is `{"status":"ok"}`), so any value will do. */
  ack: unknown
}

interface BodyByKind extends Omit<AnswerByKind, 'status' | 'ack'> {
  status: PlayerUpdateAnswer
  ack: { status: 'ok' }
}

/** What a handler of `T` returns. @example const answer: AnswerFor<'store.get'> = { items: [{ sku: 'crystals' }] } */
export type AnswerFor<T extends EventType> = AnswerByKind[Catalogue[T]['answer']]

/** The JSON body sent to Aghanim for an event of type `T`. */
export type AnswerBodyFor<T extends EventType> = BodyByKind[Catalogue[T]['answer']]

export type AnswerCheck<T extends EventType> =
  | { ok: true; value: AnswerBodyFor<T> }
  | { ok: false; message: string; issues: Issue[] }

const schemas = {
  player: playerVerifyAnswer,
  store: storeGetAnswer,
  lookup: playerLookupAnswer,
  status: playerUpdateAnswer,
}
const OK = { status: 'ok' } as const

/**
 * Checks a handler's answer against what Aghanim documents for the event, so a broken answer is caught here
 * rather than by a confused hub. Notifications always answer `{"status":"ok"}`.
 *
 * @example validateAnswer('store.get', { items: [{ sku: 42 }] }) // { ok: false, message: 'items[0].sku: expected string, got number', ... }
 */
export function validateAnswer<T extends EventType>(eventType: T, value: unknown): AnswerCheck<T> {
  const kind: AnswerKind = answerKindOf(eventType)
  if (kind === 'ack' || (kind === 'status' && value === undefined)) {
    return { ok: true, value: OK as AnswerBodyFor<T> }
  }
  const result = schemas[kind].parse(value)
  if (result.ok) return { ok: true, value: result.value as AnswerBodyFor<T> }
  return { ok: false, message: formatIssues(result.issues, 'answer'), issues: result.issues }
}
