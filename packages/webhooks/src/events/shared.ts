import { type Infer, type ObjectOf, type Schema, s } from '../schema.js'
import { aghanimDocs, notificationEvent } from './define.js'

// Internal: objects and ids several event families share.

/** Ids of the published examples, so fixtures of one flow refer to one player, order, payment and item. */
export const ids = {
  player: '2D2R-OP3C',
  game: 'gm_exTAyxPsVwh',
  company: 'com_exTAxmkZQCO',
  order: 'ord_eCacpFwavzi',
  payment: 'pmt_eFgYpxryeKXpLKfmZstI',
  item: 'itm_exTBZQmIlDz',
} as const

// Required: what both the examples and the API's Item schema always carry; the rest may be missing.
const itemFields = {
  id: s.string(),
  sku: s.string(),
  name: s.string(),
  quantity: s.integer(),
  description: s.optional(s.nullable(s.string())),
  /** Minor currency units: 9499 is 94.99 USD. */
  price: s.optional(s.integer()),
  price_decimal: s.optional(s.number()),
  currency: s.optional(s.string()),
  /** `item`, `currency`, `bundle`, `lootbox`, `subscription`, `virtual_currency`; kept open. */
  type: s.optional(s.string()),
  /** Where the item came from: `order`, `coupon`, `daily_reward`, ...; kept open. */
  source: s.optional(s.string()),
  image_url: s.optional(s.nullable(s.string())),
  selected_plan_key: s.optional(s.nullable(s.string())),
}

/** An item in order, coupon and item.add / item.remove payloads; bundles nest items. */
export type Item = ObjectOf<typeof itemFields> & { nested_items?: Item[] | null }

export const item: Schema<Item> = s.object({
  ...itemFields,
  nested_items: s.optional(s.nullable(s.array(s.lazy((): Schema<Item> => item)))),
})

export const crystals: Item = {
  id: ids.item,
  name: 'Crystals',
  description: 'Reign supreme over your rivals with this massive crystal treasure.',
  sku: 'crystals',
  quantity: 480000,
  price: 9499,
  price_decimal: 94.99,
  currency: 'USD',
  type: 'item',
  nested_items: null,
}

// Known only from the published examples: the fields every order has are required, the rest optional.
export const orderFields = {
  id: s.string(),
  player_id: s.string(),
  /** `created`, `captured`, `paid`, `canceled`, `refunded`, ...; kept open. */
  status: s.string(),
  /** Minor currency units. */
  amount: s.integer(),
  currency: s.string(),
  items: s.array(item),
  /** The currency the player was actually charged in, when it differs from `currency`. */
  payment_currency: s.optional(s.nullable(s.string())),
  company_id: s.optional(s.string()),
  game_id: s.optional(s.string()),
  country: s.optional(s.nullable(s.string())),
  created_at: s.optional(s.number()),
  modified_at: s.optional(s.number()),
  receipt_number: s.optional(s.nullable(s.string())),
}

export const order = s.object(orderFields)

export const orderFixture = (status: string): Infer<typeof order> => ({
  amount: 9499,
  company_id: ids.company,
  country: 'US',
  created_at: 1725547595,
  currency: 'USD',
  game_id: ids.game,
  id: ids.order,
  items: [crystals],
  modified_at: 1725547657,
  player_id: ids.player,
  receipt_number: '2409051289614565',
  status,
})

/**
 * An event Aghanim sends about a player without documenting its payload: kept open, acknowledged and
 * deduplicated, with only the player's id in its fixture.
 */
export function undocumentedPlayerEvent(summary: string) {
  return notificationEvent({
    summary,
    data: s.openObject(),
    fixture: { player_id: ids.player },
    docs: aghanimDocs('webhooks/overview'),
  })
}
