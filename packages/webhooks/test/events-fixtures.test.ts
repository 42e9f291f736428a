import { describe, expect, it } from 'vitest'
import { catalogue, eventTypes } from '../src/events/catalogue.js'
import { parseEvent } from '../src/events/envelope.js'
import { fixtureEvent } from '../src/events/fixtures.js'

const fixed = { now: () => 1_725_548_450_123, id: (prefix: string) => `${prefix}fixed` }

describe('fixtureEvent', () => {
  it.each(eventTypes)('%s: builds a full envelope that parseEvent accepts', (type) => {
    const event = fixtureEvent(type)
    expect(parseEvent(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, event })
  })

  it('makes a new event_id and idempotency_key on each call', () => {
    const first = fixtureEvent('item.add')
    const second = fixtureEvent('item.add')
    expect(first.event_id).toMatch(/^whevt_[A-Za-z0-9]{24}$/)
    expect(first.idempotency_key).toMatch(/^idmpt_[A-Za-z0-9]{24}$/)
    expect(second.event_id).not.toBe(first.event_id)
    expect(second.idempotency_key).not.toBe(first.idempotency_key)
  })

  it('takes its clock and ids from the options', () => {
    expect(fixtureEvent('order.paid', {}, fixed)).toMatchObject({
      event_time: 1_725_548_450,
      event_id: 'whevt_fixed',
      idempotency_key: 'idmpt_fixed',
      transaction_id: 'whtx_fixed',
      game_id: 'gm_exTAyxPsVwh',
      sandbox: false,
    })
  })

  it('leaves idempotency_key null where the docs show null', () => {
    for (const type of [
      'player.verify',
      'player.update',
      'ingame.push',
      'player.marketing_consent.updated',
    ] as const) {
      expect(fixtureEvent(type).idempotency_key).toBeNull()
    }
  })

  it('uses the trigger the docs show', () => {
    expect(fixtureEvent('player.verify').trigger).toBe('hub.login')
    expect(fixtureEvent('store.get').trigger).toBe('hub.store.open')
    expect(fixtureEvent('coupon.redeemed').trigger).toBe('hub.redeem')
    expect(fixtureEvent('analytics.checkout.pageview').trigger).toBe('checkout.interact')
    expect(fixtureEvent('analytics.hub.login').trigger).toBe('hub.interact')
    expect(fixtureEvent('fraud.reported').trigger).toBeNull()
  })

  it('deep-merges overrides, replacing arrays whole', () => {
    const event = fixtureEvent('item.add', {
      event_id: 'whevt_mine',
      event_data: { player_id: 'p_42', items: [{ id: 'itm_x', sku: 'gold', name: 'Gold', quantity: 5 }] },
    })
    expect(event.event_id).toBe('whevt_mine')
    expect(event.event_data.player_id).toBe('p_42')
    expect(event.event_data.reason).toMatch(/^Order paid ord_\w+$/)
    expect(event.event_data.items).toEqual([{ id: 'itm_x', sku: 'gold', name: 'Gold', quantity: 5 }])
  })

  it('names a fresh order in each item.add and item.remove reason, as separate purchases would', () => {
    const [first, second] = [fixtureEvent('item.add'), fixtureEvent('item.add')]
    expect(first.event_data.reason).not.toBe(second.event_data.reason)
    const fixed = { id: (prefix: string) => `${prefix}test` }
    expect(fixtureEvent('item.add', {}, fixed).event_data.reason).toBe('Order paid ord_test')
    expect(fixtureEvent('item.remove', {}, fixed).event_data.reason).toBe('Order refunded ord_test')
  })

  it('lets an override set a field to null', () => {
    expect(fixtureEvent('item.add', { idempotency_key: null }).idempotency_key).toBeNull()
  })

  it('keeps a __proto__ key in overrides as a plain key', () => {
    const event = fixtureEvent(
      'campaign.custom',
      JSON.parse('{"event_data":{"__proto__":{"polluted":true}}}'),
    )
    expect(Object.getPrototypeOf(event.event_data)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('never lets a caller mutate the catalogue', () => {
    const event = fixtureEvent('item.add')
    event.event_data.items[0]!.quantity = 1
    expect(catalogue['item.add'].fixture.items[0]!.quantity).toBe(480000)
    expect(fixtureEvent('item.add').event_data.items[0]!.quantity).toBe(480000)
  })

  it('uses the ids of the published examples, so fixtures of one flow agree', () => {
    expect(fixtureEvent('order.paid').event_data.id).toBe(fixtureEvent('fraud.reported').event_data.order_id)
    expect(fixtureEvent('payment.succeeded').event_data.id).toBe(
      fixtureEvent('fraud.reported').event_data.payment_id,
    )
    expect(fixtureEvent('item.add').event_data.items[0]!.price).toBe(9499)
  })
})
