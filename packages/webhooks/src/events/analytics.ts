import { s } from '../schema.js'
import { aghanimDocs, notificationEvent } from './define.js'

// Only three analytics events have published fields (`name`, `action`, `label`), so they are typed as
// optional and the rest stays open: these are high-volume notifications, and a rejection means a retry.
const interaction = s.openObject({
  name: s.optional(s.string()),
  action: s.optional(s.string()),
  label: s.optional(s.nullable(s.string())),
})

function analyticsEvent(summary: string, name: string, action: string, label: string | null) {
  return notificationEvent({
    summary,
    data: interaction,
    fixture: { name, action, label },
    docs: aghanimDocs('webhooks/analytics-events'),
    trigger: name.startsWith('hub.') ? 'hub.interact' : 'checkout.interact',
  })
}

/** The analytics events of the game hub and the checkout page; often batched. */
export const analyticsEvents = {
  'analytics.hub.sign_up': analyticsEvent('A player registered on the hub.', 'hub.sign_up', 'event', null),
  'analytics.hub.login': analyticsEvent('A player logged in to the hub.', 'hub.login', 'event', null),
  'analytics.hub.buy_click': analyticsEvent(
    'A player started a purchase on the hub.',
    'hub.buy_click',
    'event',
    'crystals',
  ),
  'analytics.hub.free_item_claimed': analyticsEvent(
    'A player claimed a free item.',
    'hub.free_item_claimed',
    'event',
    'crystals',
  ),
  'analytics.checkout.pageview': analyticsEvent(
    'A player opened the checkout page.',
    'checkout.pageview',
    'event',
    null,
  ),
  'analytics.checkout.pageshow': analyticsEvent(
    'A player returned to the checkout page.',
    'checkout.pageshow',
    'event',
    null,
  ),
  'analytics.checkout.pagehide': analyticsEvent(
    'The checkout page went to the background.',
    'checkout.pagehide',
    'event',
    null,
  ),
  'analytics.checkout.pageexit': analyticsEvent(
    'A player left the checkout page.',
    'checkout.pageexit',
    'event',
    null,
  ),
  'analytics.checkout.back_game': analyticsEvent(
    'A player went back to the game from checkout.',
    'checkout.back_game',
    'click',
    null,
  ),
  'analytics.checkout.back_store': analyticsEvent(
    'A player went back to the store from checkout.',
    'checkout.back_store',
    'click',
    null,
  ),
  'analytics.checkout.submit_payment_form': analyticsEvent(
    'A player submitted the payment form.',
    'checkout.submit_payment_form',
    'click',
    'cards',
  ),
  'analytics.checkout.payment_method.select': analyticsEvent(
    'A player selected a payment method.',
    'checkout.payment_method',
    'click',
    'apple_pay',
  ),
  'analytics.checkout.payment_method.close': analyticsEvent(
    'A player closed a payment method.',
    'checkout.payment_method',
    'click',
    'apple_pay',
  ),
}
