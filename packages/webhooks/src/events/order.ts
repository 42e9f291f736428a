import { s } from '../schema.js'
import { aghanimDocs, defineEvent } from './define.js'
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
  'order.created': defineEvent({
    summary: 'The player clicked Buy and opened the checkout page.',
    kind: 'notification',
    answer: 'ack',
    data: order,
    fixture: orderFixture('created'),
    docs: aghanimDocs('webhooks/order-created'),
    trigger: null,
    idempotencyKey: true,
  }),
  'order.paid': defineEvent({
    summary: 'An order was paid (for records: grant items on item.add).',
    kind: 'notification',
    answer: 'ack',
    data: paidOrder,
    fixture: {
      ...orderFixture('paid'),
      revenue_usd: 9099.123,
      fees: { aghanim_fee_usd: 10.11, payment_system_fee_usd: 15.123, taxes_usd: 481.198933 },
    },
    docs: aghanimDocs('webhooks/order-paid'),
    trigger: null,
    idempotencyKey: true,
  }),
  'order.canceled': defineEvent({
    summary: 'A bank or payment system reversed the order (revoke items on item.remove).',
    kind: 'notification',
    answer: 'ack',
    data: order,
    fixture: orderFixture('canceled'),
    docs: aghanimDocs('webhooks/order-canceled'),
    trigger: null,
    idempotencyKey: true,
  }),
  'order.refunded': defineEvent({
    summary: 'The order was refunded from the Dashboard (revoke items on item.remove).',
    kind: 'notification',
    answer: 'ack',
    data: order,
    fixture: orderFixture('refunded'),
    docs: aghanimDocs('webhooks/refund'),
    trigger: null,
    idempotencyKey: true,
  }),
}
