import { formatIssues, type Infer, type Issue, s } from '../schema.js'
import { catalogue, type EventData, type EventType, isEventType } from './catalogue.js'

// Keys end up in database indexes; Aghanim's are short (`idmpt_…`, `whevt_…`), so this only stops abuse.
const MAX_KEY_LENGTH = 1024

/**
 * The envelope every delivery shares (docs/aghanim.md, "The envelope"). Only `event_type`, `event_id` and `event_data` are
 * required: older docs omit `game_id` and `context`, and the Dashboard's curl test sends only a few fields.
 */
export const envelopeSchema = s.object({
  event_type: s.string({ minLength: 1, maxLength: 256 }),
  event_data: s.openObject(),
  /** `whevt_…`, unique per event. */
  event_id: s.string({ minLength: 1, maxLength: MAX_KEY_LENGTH }),
  /** `idmpt_…`; null for several event types. The dedupe key is this, else `event_id`. */
  idempotency_key: s.optional(s.nullable(s.string({ minLength: 1, maxLength: MAX_KEY_LENGTH }))),
  /** Unix seconds. */
  event_time: s.optional(s.number()),
  /** Sent from the sandbox environment. */
  sandbox: s.optional(s.boolean()),
  /** What caused the event, e.g. `hub.login`; an open set. */
  trigger: s.optional(s.nullable(s.string())),
  /** The id of the API request that triggered the event, if any. */
  request_id: s.optional(s.nullable(s.string())),
  /** `whtx_…`. */
  transaction_id: s.optional(s.string()),
  /** Player attributes when the webhook has `player_context_enabled`; shape not documented. */
  context: s.optional(s.nullable(s.openObject())),
  /** `gm_…`. */
  game_id: s.optional(s.string()),
})

/** An envelope whose `event_data` has not been checked against its event type. */
export type Envelope = Infer<typeof envelopeSchema>

/** A validated event of type `T`: the envelope with a typed `event_data`. */
export type WebhookEvent<T extends EventType> = Omit<Envelope, 'event_type' | 'event_data'> & {
  event_type: T
  event_data: EventData<T>
}

/**
 * Any validated event; `switch (event.event_type)` narrows `event_data`.
 *
 * @example
 * if (event.event_type === 'item.add') grant(event.event_data.player_id, event.event_data.items)
 */
export type AnyWebhookEvent = { [T in EventType]: WebhookEvent<T> }[EventType]

export type ParseEventResult =
  | { ok: true; event: AnyWebhookEvent }
  | { ok: false; code: 'invalid_envelope'; message: string; issues: Issue[] }
  | { ok: false; code: 'unknown_event_type'; message: string; issues: Issue[]; envelope: Envelope }
  | { ok: false; code: 'invalid_event_data'; message: string; issues: Issue[]; envelope: Envelope }

/**
 * Validates a parsed JSON body as an Aghanim event: the envelope, then `event_data` against its event type.
 * Never throws. An unknown `event_type` still returns the envelope, for receivers that acknowledge those.
 *
 * @example
 * const parsed = parseEvent(JSON.parse(text))
 * if (!parsed.ok) return Response.json({ status: 'error', code: parsed.code, message: parsed.message }, { status: 400 })
 */
export function parseEvent(json: unknown): ParseEventResult {
  const envelope = envelopeSchema.parse(json)
  if (!envelope.ok) {
    return {
      ok: false,
      code: 'invalid_envelope',
      message: formatIssues(envelope.issues, 'body'),
      issues: envelope.issues,
    }
  }
  const type = envelope.value.event_type
  if (!isEventType(type)) {
    const shown = JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type)
    return {
      ok: false,
      code: 'unknown_event_type',
      message: `Unknown event type ${shown}`,
      issues: [],
      envelope: envelope.value,
    }
  }
  const data = catalogue[type].data.parse(envelope.value.event_data)
  if (!data.ok) {
    const issues = data.issues.map((issue) => ({
      path: ['event_data', ...issue.path],
      message: issue.message,
    }))
    return {
      ok: false,
      code: 'invalid_event_data',
      message: formatIssues(issues),
      issues,
      envelope: envelope.value,
    }
  }
  return { ok: true, event: envelope.value as AnyWebhookEvent }
}
