import { s } from '../schema.js'
import { aghanimDocs, notificationEvent } from './define.js'
import { ids } from './shared.js'

// The payload is not documented. The docs do say to rely on `event_type` + `effective_until` and to treat
// `status` as an open string, so those two are typed and everything else stays open.
const subscription = s.openObject({
  /** `trial`, `active`, `canceled`, `expired`, ... new values may appear. */
  status: s.optional(s.string()),
  /** Unix seconds until which the player keeps access. */
  effective_until: s.optional(s.nullable(s.number())),
})

function subscriptionEvent(summary: string, status: string) {
  return notificationEvent({
    summary,
    data: subscription,
    // Illustrative fields beyond status/effective_until, modelled on the API's SubscriptionRead.
    fixture: {
      id: 'sub_eCbTqLmNoPqRsT',
      player_id: ids.player,
      order_id: ids.order,
      sku: 'vip_pass',
      name: 'VIP Pass',
      status,
      plan: { key: 'monthly', name: 'Monthly', offer: null },
      created_at: 1725547595,
      effective_until: 1728139595,
    },
    docs: aghanimDocs('webhooks/subscription'),
  })
}

/** subscription.activated / updated / renewed / deactivated. */
export const subscriptionEvents = {
  'subscription.activated': subscriptionEvent('A subscription became active: grant its benefits.', 'active'),
  'subscription.updated': subscriptionEvent(
    "A subscription's status, plan or billing dates changed.",
    'active',
  ),
  'subscription.renewed': subscriptionEvent('A recurring payment succeeded: extend access.', 'active'),
  'subscription.deactivated': subscriptionEvent(
    'A subscription was deactivated: revoke its benefits.',
    'expired',
  ),
}
