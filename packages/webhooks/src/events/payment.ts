import { s } from '../schema.js'
import { aghanimDocs, notificationEvent } from './define.js'
import { ids } from './shared.js'

// Aghanim documents only that a payment event carries the payment's `id`; the rest stays open.
const payment = s.openObject({ id: s.string() })

function paymentEvent(status: string, summary: string) {
  return notificationEvent({
    summary,
    data: payment,
    // Illustrative fields beyond `id`, modelled on the API's PaymentRead.
    fixture: {
      id: ids.payment,
      order_id: ids.order,
      player_id: ids.player,
      status,
      currency: 'USD',
      total: 9499,
      payment_method_name: 'cards',
      country: 'US',
    },
    docs: aghanimDocs('webhooks/payment-events'),
  })
}

/** The 11 payment status events and fraud.reported; `payment.*` subscribes to all. */
export const paymentEvents = {
  'payment.pending': paymentEvent('created', 'A payment attempt was initiated and is pending.'),
  'payment.succeeded': paymentEvent('done', 'A payment completed and the funds were taken.'),
  'payment.canceled': paymentEvent('canceled', 'The player canceled the payment in checkout.'),
  'payment.declined': paymentEvent('failed', 'The payment method was declined.'),
  'payment.expired': paymentEvent('expired', 'The payment was not completed in time.'),
  'payment.abandoned': paymentEvent('abandoned', 'The payment was abandoned (meaning not documented).'),
  'payment.voided': paymentEvent('voided', 'The payment was voided (meaning not documented).'),
  'payment.rejected': paymentEvent(
    'rejected',
    'The payment was flagged as potentially fraudulent and not processed.',
  ),
  'payment.dispute': paymentEvent('dispute', 'The player filed a dispute.'),
  'payment.chargeback': paymentEvent('chargeback', 'The payment was reversed by a chargeback.'),
  'payment.refunded': paymentEvent('refunded', 'The funds were returned to the player.'),
  'fraud.reported': notificationEvent({
    summary: 'A processor reported fraud on a completed payment, days or weeks later.',
    data: s.object({
      id: s.string(),
      player_id: s.string(),
      order_id: s.string(),
      payment_id: s.string(),
      /** e.g. `card_stolen`; other values not documented. */
      fraud_type: s.string(),
      /** Minor currency units. */
      amount: s.integer(),
      currency: s.string(),
      payment_method: s.string(),
      reported_at: s.number(),
    }),
    fixture: {
      id: 'frd_aBcDeFgHiJkLmNoPqRs',
      player_id: ids.player,
      order_id: ids.order,
      payment_id: ids.payment,
      fraud_type: 'card_stolen',
      amount: 9499,
      currency: 'USD',
      payment_method: 'cards',
      reported_at: 1725547595,
    },
    docs: aghanimDocs('webhooks/fraud'),
  }),
}
