import { catalogue, type EventType } from './catalogue.js'
import type { WebhookEvent } from './envelope.js'
import { ids } from './shared.js'

export interface FixtureOptions {
  /** The clock, in milliseconds; `event_time` is its value in whole seconds. Default `Date.now`. */
  now?: () => number
  /** Makes ids: receives a prefix (`whevt_`, `idmpt_`, `whtx_`) and returns a unique id. Default: random. */
  id?: (prefix: string) => string
}

/** Every key optional at every depth; arrays are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T

/**
 * A realistic, valid delivery of `type`: the catalogue's fixture in a full envelope with fresh ids (so
 * idempotency sees a new event each call), `idempotency_key` null where Aghanim's examples show null, and
 * the trigger the docs show. `overrides` are deep-merged (objects merge, arrays and other values replace;
 * `undefined` keeps the default).
 *
 * @example
 * const event = fixtureEvent('item.add', { event_data: { player_id: 'p_1' } })
 * const fixed = fixtureEvent('order.paid', {}, { now: () => 1725548450_000, id: (prefix) => `${prefix}test` })
 */
export function fixtureEvent<T extends EventType>(
  type: T,
  overrides: DeepPartial<WebhookEvent<T>> = {},
  options: FixtureOptions = {},
): WebhookEvent<T> {
  const { now = Date.now, id = randomId } = options
  const definition = catalogue[type]
  const data = structuredClone(definition.fixture) as Record<string, unknown>
  // Each fixture item.add / item.remove is a purchase (refund) of its own: a receiver that grants once per
  // order, as the reference server does, would otherwise see every fixture grant as the same order's.
  if ((type === 'item.add' || type === 'item.remove') && typeof data.reason === 'string')
    data.reason = data.reason.replace(ids.order, id('ord_'))
  const base = {
    event_type: type,
    event_data: data,
    event_time: Math.floor(now() / 1000),
    event_id: id('whevt_'),
    idempotency_key: definition.idempotencyKey ? id('idmpt_') : null,
    sandbox: false,
    trigger: definition.trigger,
    request_id: null,
    transaction_id: id('whtx_'),
    context: null,
    game_id: ids.game,
  }
  return merge(base, overrides) as WebhookEvent<T>
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch)
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    // defineProperty, not assignment: a `__proto__` key must stay a plain key.
    Object.defineProperty(merged, key, {
      value: merge(Object.hasOwn(base, key) ? base[key] : undefined, value),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return merged
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `whevt_` + 24 random letters/digits, like Aghanim's ids. */
function randomId(prefix: string): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(24))
  let id = prefix
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length]
  return id
}
