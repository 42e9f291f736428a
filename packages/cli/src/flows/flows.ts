import { catalogue, type EventType } from 'aghanim-webhooks'

/** The ids every step of one flow shares, so the receiver can correlate them as it would Aghanim's. */
export interface FlowIds {
  player: string
  sku: string
  order: string
  payment: string
  subscription: string
  coupon: string
}

/** One delivery of a flow: the event type and how its payload differs from the catalogue fixture. */
export interface FlowStep {
  type: EventType
  data: (ids: FlowIds) => Record<string, unknown>
}

const item = (ids: FlowIds) => {
  const crystals = catalogue['item.add'].fixture.items[0]!
  return { ...crystals, sku: ids.sku, name: ids.sku === crystals.sku ? crystals.name : ids.sku }
}

const order = (status: string) => (ids: FlowIds) => ({
  id: ids.order,
  player_id: ids.player,
  status,
  items: [item(ids)],
})

const payment = (status: string) => (ids: FlowIds) => ({
  id: ids.payment,
  order_id: ids.order,
  player_id: ids.player,
  status,
})

const grant = (reason: (ids: FlowIds) => string) => (ids: FlowIds) => ({
  player_id: ids.player,
  items: [item(ids)],
  reason: reason(ids),
})

const subscription = (status: string, monthsPaid: number) => (ids: FlowIds) => ({
  id: ids.subscription,
  player_id: ids.player,
  order_id: ids.order,
  sku: ids.sku,
  status,
  // Each renewal pushes access a month further.
  effective_until: 1725547595 + monthsPaid * 30 * 86400,
})

/**
 * The flows `trigger` plays, in Aghanim's order (its payment and order state model). Steps that grant or
 * revoke come last, as Aghanim sends them after the order changes state. `summary` is written out only where
 * the step types joined by arrows would be too long.
 */
export const flows: Record<string, { summary?: string; steps: FlowStep[] }> = {
  purchase: {
    steps: [
      { type: 'player.verify', data: (ids) => ({ player_id: ids.player }) },
      { type: 'order.created', data: order('created') },
      { type: 'payment.pending', data: payment('created') },
      { type: 'payment.succeeded', data: payment('done') },
      { type: 'order.paid', data: order('paid') },
      { type: 'item.add', data: grant((ids) => `Order paid ${ids.order}`) },
    ],
  },
  refund: {
    steps: [
      { type: 'order.refunded', data: order('refunded') },
      { type: 'item.remove', data: grant((ids) => `Order refunded ${ids.order}`) },
    ],
  },
  chargeback: {
    steps: [
      { type: 'payment.dispute', data: payment('dispute') },
      { type: 'payment.chargeback', data: payment('chargeback') },
      { type: 'order.canceled', data: order('canceled') },
      { type: 'item.remove', data: grant((ids) => `Order canceled ${ids.order}`) },
    ],
  },
  subscription: {
    summary: 'subscription.activated → renewed → updated (canceled) → deactivated',
    steps: [
      { type: 'subscription.activated', data: subscription('active', 1) },
      { type: 'subscription.renewed', data: subscription('active', 2) },
      { type: 'subscription.updated', data: subscription('canceled', 2) },
      { type: 'subscription.deactivated', data: subscription('expired', 2) },
    ],
  },
  coupon: {
    steps: [
      {
        type: 'coupon.redeemed',
        data: (ids) => ({
          player_id: ids.player,
          coupon: { code: ids.coupon, sku: ids.sku },
          item: item(ids),
          items: [item(ids)],
        }),
      },
      { type: 'item.add', data: grant((ids) => `Coupon ${ids.coupon} redeemed`) },
    ],
  },
}

/** One line for `trigger --help`: the flow's summary, else its step types in order. */
export function flowSummary(flow: { summary?: string; steps: FlowStep[] }): string {
  return flow.summary ?? flow.steps.map((step) => step.type).join(' → ')
}
