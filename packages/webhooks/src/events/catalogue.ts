import type { Infer } from '../schema.js'
import { analyticsEvents } from './analytics.js'
import type { AnswerKind } from './define.js'
import { itemEvents } from './items.js'
import { liveopsEvents } from './liveops.js'
import { orderEvents } from './order.js'
import { paymentEvents } from './payment.js'
import { playerEvents } from './player.js'
import { subscriptionEvents } from './subscription.js'

/**
 * Every event Aghanim sends, keyed by `event_type`: summary, kind, expected answer, `event_data` schema,
 * fixture and the page of Aghanim's docs it comes from (docs/aghanim.md). The one source of the types, validators, fixtures and the README table.
 * Covers Aghanim's `WebhookEventType` enum (without the `order.*` / `payment.*` subscription names) plus
 * the documented `player.update`.
 *
 * @example
 * catalogue['item.add'].kind // 'fulfilment'
 * catalogue['item.add'].data.parse(body.event_data) // { ok: true, value } | { ok: false, issues }
 */
export const catalogue = {
  ...playerEvents,
  ...itemEvents,
  ...orderEvents,
  ...paymentEvents,
  ...subscriptionEvents,
  ...liveopsEvents,
  ...analyticsEvents,
}

export type Catalogue = typeof catalogue

/** A concrete `event_type` the library knows, e.g. `'item.add'`. */
export type EventType = keyof Catalogue

/** The `event_data` type of an event type. @example type Grant = EventData<'item.add'> */
export type EventData<T extends EventType> = Infer<Catalogue[T]['data']>

/** The event types whose answer Aghanim waits for: player.verify, store.get, player.lookup. */
export type DecisionEventType = {
  [T in EventType]: Catalogue[T]['kind'] extends 'decision' ? T : never
}[EventType]

/** Every concrete event type, in catalogue order. @example eventTypes.includes('item.add') // true */
export const eventTypes: readonly EventType[] = Object.freeze(Object.keys(catalogue) as EventType[])

// A Set, not `Object.hasOwn(catalogue, …)`: the catalogue's dotted keys make it a slow dictionary object,
// and every delivery asks twice.
const knownTypes: ReadonlySet<string> = new Set(eventTypes)

/**
 * Aghanim's subscription names: a webhook subscribed to `payment.*` receives every `payment.…` event (with
 * its concrete `event_type`). The router accepts them too: `router.on('payment.*', handler)`.
 */
export const subscriptionPatterns = ['order.*', 'payment.*'] as const

export type SubscriptionPattern = (typeof subscriptionPatterns)[number]

/**
 * Whether `eventType` is selected by `pattern`: an exact name, or a family such as `payment.*`.
 *
 * @example matchesPattern('payment.*', 'payment.succeeded') // true
 */
export function matchesPattern(pattern: string, eventType: string): boolean {
  if (!pattern.endsWith('.*')) return pattern === eventType
  const prefix = pattern.slice(0, -1)
  return eventType.length > prefix.length && eventType.startsWith(prefix)
}

/** Whether `value` is an event type in the catalogue. @example isEventType('item.add') // true */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && knownTypes.has(value)
}

/**
 * Whether Aghanim waits for this event's answer. Decision events are read-only and not deduplicated.
 *
 * @example isDecisionEvent('player.verify') // true
 */
export function isDecisionEvent(type: string): type is DecisionEventType {
  return isEventType(type) && catalogue[type].kind === 'decision'
}

/** The answer Aghanim expects for an event type. @example answerKindOf('store.get') // 'store' */
export function answerKindOf<T extends EventType>(type: T): Catalogue[T]['answer'] & AnswerKind {
  return catalogue[type].answer
}
