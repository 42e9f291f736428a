import { describe, expect, it } from 'vitest'
import {
  answerKindOf,
  catalogue,
  type EventType,
  eventTypes,
  isDecisionEvent,
  isEventType,
  matchesPattern,
  subscriptionPatterns,
} from '../src/events/catalogue.js'
import { parseEvent } from '../src/events/envelope.js'
import { fixtureEvent } from '../src/events/fixtures.js'

// Aghanim's `WebhookEventType` enum as the OpenAPI document lists it (47 strings; the docs say "46 values").
const webhookEventTypeEnum = [
  'player.verify',
  'item.add',
  'item.remove',
  'analytics.checkout.payment_method.select',
  'analytics.checkout.submit_payment_form',
  'analytics.checkout.back_store',
  'analytics.checkout.back_game',
  'analytics.checkout.pageview',
  'analytics.checkout.pageshow',
  'analytics.checkout.pagehide',
  'analytics.checkout.pageexit',
  'analytics.checkout.payment_method.close',
  'analytics.hub.sign_up',
  'analytics.hub.login',
  'analytics.hub.buy_click',
  'analytics.hub.free_item_claimed',
  'batch.ready',
  'order.*',
  'order.created',
  'order.paid',
  'order.canceled',
  'order.refunded',
  'payment.*',
  'payment.succeeded',
  'payment.abandoned',
  'payment.canceled',
  'payment.chargeback',
  'payment.declined',
  'payment.dispute',
  'payment.expired',
  'payment.pending',
  'payment.refunded',
  'payment.rejected',
  'payment.voided',
  'fraud.reported',
  'subscription.activated',
  'subscription.updated',
  'subscription.renewed',
  'subscription.deactivated',
  'coupon.redeemed',
  'ingame.push',
  'ingame.popup',
  'campaign.custom',
  'player.is_idle',
  'player.lookup',
  'player.marketing_consent.updated',
  'store.get',
]

// Keys Aghanim documents as always present (docs/aghanim.md); everything else must be allowed to be missing.
const orderKeys = ['id', 'player_id', 'status', 'amount', 'currency', 'items']
const requiredKeys: Partial<Record<EventType, string[]>> = {
  'player.verify': ['player_id'],
  'player.update': ['player_id'],
  'player.marketing_consent.updated': ['player_id', 'email'],
  'item.add': ['player_id', 'items', 'reason'],
  'item.remove': ['player_id', 'items', 'reason'],
  'coupon.redeemed': ['player_id', 'coupon'],
  'order.created': orderKeys,
  'order.paid': orderKeys,
  'order.canceled': orderKeys,
  'order.refunded': orderKeys,
  'fraud.reported': [
    'id',
    'player_id',
    'order_id',
    'payment_id',
    'fraud_type',
    'amount',
    'currency',
    'payment_method',
    'reported_at',
  ],
  'ingame.popup': ['player_id', 'title', 'body'],
  'ingame.push': ['player_id', 'title', 'body'],
  ...Object.fromEntries(
    eventTypes.filter((type) => type.startsWith('payment.')).map((type) => [type, ['id']]),
  ),
}

function wrongTypeFor(value: unknown): unknown {
  return typeof value === 'string' || value === null ? 12345 : 'text'
}

describe('the catalogue', () => {
  it("covers Aghanim's whole WebhookEventType enum plus player.update", () => {
    const concrete = webhookEventTypeEnum.filter((type) => !type.endsWith('.*'))
    expect([...eventTypes].sort()).toEqual([...concrete, 'player.update'].sort())
    expect(eventTypes).toHaveLength(46)
  })

  it('keeps the subscription names apart from the concrete event types', () => {
    expect(subscriptionPatterns).toEqual(webhookEventTypeEnum.filter((type) => type.endsWith('.*')))
    for (const pattern of subscriptionPatterns) expect(isEventType(pattern)).toBe(false)
  })

  it('marks exactly player.verify, store.get and player.lookup as decisions, with their answers', () => {
    const decisions = eventTypes.filter((type) => isDecisionEvent(type))
    expect(decisions.sort()).toEqual(['player.lookup', 'player.verify', 'store.get'])
    expect(answerKindOf('player.verify')).toBe('player')
    expect(answerKindOf('store.get')).toBe('store')
    expect(answerKindOf('player.lookup')).toBe('lookup')
    expect(answerKindOf('player.update')).toBe('status')
  })

  it('marks item.add and item.remove as fulfilment, and every other event as an acknowledged notification', () => {
    expect(eventTypes.filter((type) => catalogue[type].kind === 'fulfilment').sort()).toEqual([
      'item.add',
      'item.remove',
    ])
    for (const type of eventTypes) {
      if (catalogue[type].kind !== 'decision' && type !== 'player.update')
        expect(catalogue[type].answer).toBe('ack')
    }
  })

  it("gives every event a one-line summary and Aghanim's own documentation page", () => {
    for (const type of eventTypes) {
      expect(catalogue[type].summary).toMatch(/^[A-Z].{10,110}\.$/)
      expect(catalogue[type].summary).not.toContain('\n')
      expect(catalogue[type].docs).toMatch(/^https:\/\/docs\.aghanim\.com\/(webhooks|advanced)\/[a-z-]+$/)
    }
    // Only the two events Aghanim names without documenting them point to the overview.
    const undocumented = eventTypes.filter((type) => catalogue[type].docs.endsWith('/webhooks/overview'))
    expect(undocumented).toEqual(['player.is_idle', 'campaign.custom'])
  })

  it.each(eventTypes)('%s: its fixture validates against its schema', (type) => {
    expect(catalogue[type].data.parse(catalogue[type].fixture)).toEqual({
      ok: true,
      value: catalogue[type].fixture,
    })
  })

  it.each(eventTypes)('%s: requires exactly the documented keys', (type) => {
    const fixture = catalogue[type].fixture as Record<string, unknown>
    const required = Object.keys(fixture).filter((key) => {
      const { [key]: _removed, ...rest } = fixture
      return !catalogue[type].data.parse(rest).ok
    })
    expect(required.sort()).toEqual([...(requiredKeys[type] ?? [])].sort())
  })

  it.each(eventTypes)('%s: rejects a wrong-typed field with a message naming its path', (type) => {
    const fixture = catalogue[type].fixture as Record<string, unknown>
    const rejected: string[] = []
    for (const key of Object.keys(fixture)) {
      const parsed = parseEvent(
        fixtureEvent(type, { event_data: { [key]: wrongTypeFor(fixture[key]) } } as never),
      )
      if (parsed.ok) continue
      rejected.push(key)
      expect(parsed.code).toBe('invalid_event_data')
      expect(parsed.message).toMatch(new RegExp(`^event_data\\.${key}: expected .+, got (number|string)$`))
    }
    for (const key of requiredKeys[type] ?? []) expect(rejected).toContain(key)
  })

  it('keeps unknown fields of event_data, nested objects and the envelope', () => {
    const event = fixtureEvent('item.add') as unknown as Record<string, Record<string, unknown>>
    const input = JSON.parse(JSON.stringify(event))
    input.new_envelope_field = 'v2'
    input.event_data.attribution = { campaign: 'spring' }
    input.event_data.items[0].image_url_2x = 'https://cdn.example.com/crystals@2x.png'
    const parsed = parseEvent(input)
    expect(parsed.ok && parsed.event).toEqual(input)
  })
})

describe('matchesPattern', () => {
  it('matches an event of the family', () => {
    expect(matchesPattern('payment.*', 'payment.succeeded')).toBe(true)
    expect(matchesPattern('order.*', 'order.paid')).toBe(true)
  })

  it('does not match another family, a bare prefix or a look-alike', () => {
    expect(matchesPattern('order.*', 'payment.succeeded')).toBe(false)
    expect(matchesPattern('order.*', 'order.')).toBe(false)
    expect(matchesPattern('order.*', 'orders.paid')).toBe(false)
  })

  it('matches exact names only exactly', () => {
    expect(matchesPattern('item.add', 'item.add')).toBe(true)
    expect(matchesPattern('item.add', 'item.added')).toBe(false)
  })

  it('selects every payment event of the catalogue with payment.*', () => {
    expect(eventTypes.filter((type) => matchesPattern('payment.*', type))).toHaveLength(11)
  })
})

describe('isEventType', () => {
  it('rejects non-strings and names inherited from Object.prototype', () => {
    expect(isEventType(42)).toBe(false)
    expect(isEventType('toString')).toBe(false)
    expect(isEventType('__proto__')).toBe(false)
    expect(isEventType('item.add')).toBe(true)
  })
})
