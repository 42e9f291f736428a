import { s } from '../schema.js'
import { aghanimDocs, defineEvent, notificationEvent } from './define.js'
import { crystals, ids, item } from './shared.js'

const grant = s.object({
  player_id: s.string(),
  items: s.array(item),
  /** Human-readable, e.g. `Order paid ord_eCacAulggpY`. */
  reason: s.string(),
  /** Deprecated by Aghanim: use `items`. */
  item_id: s.optional(s.string()),
  /** Deprecated by Aghanim: use `items`. */
  sku: s.optional(s.string()),
})

/** item.add, item.remove, store.get and coupon.redeemed. */
export const itemEvents = {
  'item.add': defineEvent({
    summary: 'Grant items: a purchase, a free-item code, a daily or loyalty reward.',
    kind: 'fulfilment',
    answer: 'ack',
    data: grant,
    fixture: { player_id: ids.player, items: [crystals], reason: `Order paid ${ids.order}` },
    docs: aghanimDocs('webhooks/item-add'),
    trigger: null,
    idempotencyKey: true,
  }),
  'item.remove': defineEvent({
    summary: 'Revoke items after a chargeback or a refund.',
    kind: 'fulfilment',
    answer: 'ack',
    data: grant,
    fixture: { player_id: ids.player, items: [crystals], reason: `Order refunded ${ids.order}` },
    docs: aghanimDocs('webhooks/item-remove'),
    trigger: null,
    idempotencyKey: true,
  }),
  'store.get': defineEvent({
    summary: 'A player opens the store: answer with the SKUs to show them, in order.',
    kind: 'decision',
    answer: 'store',
    data: s.object({
      // Documented as a string; anonymous visitors (`is_anonymous`) may well have none, and a rejected
      // store.get breaks the store page, so absence and null are accepted.
      player_id: s.optional(s.nullable(s.string())),
      is_anonymous: s.optional(s.boolean()),
      placement_keys: s.optional(s.nullable(s.array(s.string()))),
      category_slugs: s.optional(s.nullable(s.array(s.string()))),
      current_page_path: s.optional(s.nullable(s.string())),
      locale: s.optional(s.nullable(s.string())),
    }),
    fixture: {
      player_id: ids.player,
      is_anonymous: false,
      placement_keys: null,
      category_slugs: null,
      current_page_path: '/store',
      locale: 'en',
    },
    docs: aghanimDocs('webhooks/store-get'),
    trigger: 'hub.store.open',
    idempotencyKey: true,
  }),
  'coupon.redeemed': notificationEvent({
    summary: 'A player redeemed a code for free items (grant them on item.add).',
    data: s.object({
      player_id: s.string(),
      coupon: s.object({ code: s.string(), sku: s.string(), redeemed_at: s.number() }),
      /** Documented through 2026-05; newer deliveries carry `items`. */
      item: s.optional(item),
      items: s.optional(s.array(item)),
    }),
    fixture: {
      player_id: ids.player,
      coupon: { code: 'WELCOME', sku: 'crystals', redeemed_at: 1725548450 },
      item: crystals,
      items: [crystals],
    },
    docs: aghanimDocs('webhooks/coupon-redeemed'),
    trigger: 'hub.redeem',
  }),
}
