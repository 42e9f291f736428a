import type { Infer, Schema } from '../schema.js'

/**
 * `decision`: Aghanim waits for your answer to go on (not deduplicated: read-only, runs on every call);
 * `fulfilment`: grant or revoke what was paid for (deduplicated, exactly once); `notification`: everything else.
 */
export type EventKind = 'decision' | 'fulfilment' | 'notification'

/**
 * The answer Aghanim expects (docs/aghanim.md, "The answer"): `player` object (player.verify), `store` items (store.get),
 * `lookup` status body (player.lookup), `status` body (player.update), or a plain `ack` (`{"status":"ok"}`).
 */
export type AnswerKind = 'player' | 'store' | 'lookup' | 'status' | 'ack'

/** Everything the library knows about one event type; the catalogue is a record of these. */
export interface EventDefinition<
  S extends Schema<unknown> = Schema<unknown>,
  K extends EventKind = EventKind,
  A extends AnswerKind = AnswerKind,
> {
  /** One line for docs and the README table. */
  readonly summary: string
  readonly kind: K
  readonly answer: A
  /** The `event_data` schema: required keys only where Aghanim documents them as always present. */
  readonly data: S
  /** A realistic `event_data`, from the published example where there is one. */
  readonly fixture: Infer<S>
  /**
   * Aghanim's documentation page for it, e.g. `https://docs.aghanim.com/webhooks/item-add`; events Aghanim
   * names but does not document point to the webhooks overview.
   */
  readonly docs: string
  /** The envelope `trigger` the docs show for it, or null where none is documented. */
  readonly trigger: string | null
  /** Whether the docs' examples carry an `idempotency_key` (false: they show `null`). */
  readonly idempotencyKey: boolean
}

/** Aghanim's documentation site, where every event's `docs` page lives. */
export const AGHANIM_DOCS = 'https://docs.aghanim.com'

/** The URL of a page of Aghanim's documentation: `aghanimDocs('webhooks/item-add')`. */
export const aghanimDocs = (page: string) => `${AGHANIM_DOCS}/${page}`

/** Checks the fixture against the data schema at compile time, and keeps the literal kind and answer. */
export function defineEvent<S extends Schema<unknown>, K extends EventKind, A extends AnswerKind>(
  definition: EventDefinition<S, K, A> & { readonly fixture: NoInfer<Infer<S>> },
): EventDefinition<S, K, A> {
  return definition
}

/**
 * The commonest definition: a `notification`, answered with a plain `ack`, whose documented examples carry an
 * idempotency key; `trigger` is null unless given. Orders, payments, subscriptions, analytics and the
 * undocumented events are all of this kind.
 *
 * @example
 * notificationEvent({ summary: 'The player opened the checkout page.', data: order, fixture, docs })
 */
export function notificationEvent<S extends Schema<unknown>>(
  definition: Pick<EventDefinition<S>, 'summary' | 'data' | 'docs'> & {
    readonly fixture: NoInfer<Infer<S>>
    readonly trigger?: string | null
  },
): EventDefinition<S, 'notification', 'ack'> {
  return { kind: 'notification', answer: 'ack', trigger: null, idempotencyKey: true, ...definition }
}
