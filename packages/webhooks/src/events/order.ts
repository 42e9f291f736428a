import { s } from '../schema.js'
import { aghanimDocs, notificationEvent } from './define.js'
import { order, orderFields, orderFixture } from './shared.js'

const paidOrder = s.object({
  ...orderFields,
  /** Units not documented (the published example is not consistent with `amount`). */
  revenue_usd: s.optional(s.number()),
  fees: s.optional(
    s.object({
      aghanim_fee_usd: s.optional(s.number()),
      payment_system_fee_usd: s.optional(s.number()),
      taxes_usd: s.optional(s.number()),
    }),
  ),
})

/** order.created, order.paid, order.canceled, order.refunded; `order.*` subscribes to all. */
export const orderEvents = {
  'order.created': notificationEvent({
    summary: 'The player clicked Buy and opened the checkout page.',
    data: order,
    fixture: orderFixture('created'),
    docs: aghanimDocs('webhooks/order-created'),
  }),
  'order.paid': notificationEvent({
    summary: 'An order was paid (for records: grant items on item.add).',
    data: paidOrder,
    fixture: {
      ...orderFixture('paid'),
      revenue_usd: 9099.123,
      fees: { aghanim_fee_usd: 10.11, payment_system_fee_usd: 15.123, taxes_usd: 481.198933 },
    },
    docs: aghanimDocs('webhooks/order-paid'),
  }),
  'order.canceled': notificationEvent({
    summary: 'A bank or payment system reversed the order (revoke items on item.remove).',
    data: order,
    fixture: orderFixture('canceled'),
    docs: aghanimDocs('webhooks/order-canceled'),
  }),
  'order.refunded': notificationEvent({
    summary: 'The order was refunded from the Dashboard (revoke items on item.remove).',
    data: order,
    fixture: orderFixture('refunded'),
    docs: aghanimDocs('webhooks/refund'),
  }),
}
