import { afterEach, describe, expect, it } from 'vitest'
import { type LibraryReceiver, startLibraryReceiver } from './helpers/library-receiver.js'
import { type Listening, listen } from './helpers/listen.js'
import { cli } from './helpers/run.js'

const SECRET = 'test_secret'
const open: Listening[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()))
})

async function receiver(options: { refuse?: string } = {}): Promise<LibraryReceiver> {
  const started = await startLibraryReceiver(SECRET, options)
  open.push(started)
  return started
}

const trigger = (url: string, ...extra: string[]) =>
  cli(['trigger', ...extra, '--url', url, '--secret', SECRET])

/** What a purchase is, step by step, as Aghanim sends it. */
const PURCHASE = [
  'player.verify',
  'order.created',
  'payment.pending',
  'payment.succeeded',
  'order.paid',
  'item.add',
]

describe('trigger', () => {
  it('plays a purchase in order with one player, order, payment and item, and grants once', async () => {
    const target = await receiver()
    const run = await trigger(target.url, 'purchase', '--sku', 'gems')
    expect(run.code).toBe(0)
    expect(target.events.map((event) => event.event_type)).toEqual(PURCHASE)
    const [, created, pending, succeeded, paid, grant] = target.events.map((event) => event.event_data)
    expect(created!.id).toMatch(/^ord_\w{11}$/)
    expect(paid!.id).toBe(created!.id)
    expect([pending!.order_id, succeeded!.order_id]).toEqual([created!.id, created!.id])
    expect(succeeded!.id).toBe(pending!.id)
    expect(grant).toMatchObject({
      player_id: 'testplayer',
      reason: `Order paid ${created!.id}`,
      items: [{ sku: 'gems' }],
    })
    expect(target.inventory.get('testplayer:gems')).toBe(480000)
    expect(run.stdout).toMatch(/^1\/6 {2}player\.verify {6}200/m)
    expect(run.stdout).toContain('✔ purchase: all 6 steps answered 2xx')
  })

  it.each([
    ['refund', ['order.refunded', 'item.remove']],
    ['chargeback', ['payment.dispute', 'payment.chargeback', 'order.canceled', 'item.remove']],
    [
      'subscription',
      ['subscription.activated', 'subscription.renewed', 'subscription.updated', 'subscription.deactivated'],
    ],
    ['coupon', ['coupon.redeemed', 'item.add']],
  ])('plays the %s flow in order, every step valid', async (flow, types) => {
    const target = await receiver()
    const run = await trigger(target.url, flow as string, '--player', 'p_42')
    expect(run.code).toBe(0)
    expect(target.events.map((event) => event.event_type)).toEqual(types)
    for (const event of target.events) expect(event.event_data.player_id).toBe('p_42')
  })

  it('refunds the order named with --order', async () => {
    const target = await receiver()
    await trigger(target.url, 'refund', '--order', 'ord_earlier')
    expect(target.events.map((event) => event.event_data.id ?? event.event_data.reason)).toEqual([
      'ord_earlier',
      'Order refunded ord_earlier',
    ])
  })

  it('walks a subscription from active to canceled to expired, extending access on renewal', async () => {
    const target = await receiver()
    await trigger(target.url, 'subscription')
    const data = target.events.map((event) => event.event_data)
    expect(data.map((entry) => entry.status)).toEqual(['active', 'active', 'canceled', 'expired'])
    expect(data[1]!.effective_until).toBeGreaterThan(data[0]!.effective_until as number)
    expect(new Set(data.map((entry) => entry.id)).size).toBe(1)
  })

  it('stops at the first refused step and says why', async () => {
    const target = await receiver({ refuse: 'payment.succeeded' })
    const run = await trigger(target.url, 'purchase')
    expect(run.code).toBe(1)
    expect(target.events.map((event) => event.event_type)).toEqual(PURCHASE.slice(0, 4))
    expect(run.stdout).toContain(
      '✖ purchase stopped at step 4/6 (payment.succeeded): HTTP 422, refused_by_test: payment.succeeded refused',
    )
  })

  it('stops when the endpoint does not answer', async () => {
    const gone = await listen(() => {})
    await gone.close()
    const run = await trigger(gone.url, 'coupon')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('stopped at step 1/2 (coupon.redeemed): could not reach')
  })

  it('prints the ids and every step as JSON with --json', async () => {
    const target = await receiver()
    const run = await trigger(target.url, 'refund', '--json')
    const output = JSON.parse(run.stdout)
    expect(output).toMatchObject({ flow: 'refund', ok: true, ids: { player: 'testplayer', sku: 'crystals' } })
    expect(output.steps.map((step: { type: string; status: number }) => [step.type, step.status])).toEqual([
      ['order.refunded', 200],
      ['item.remove', 200],
    ])
  })

  it('exits 2 for an unknown flow, suggesting the closest one', async () => {
    const run = await cli(['trigger', 'purchse', '--url', 'http://127.0.0.1:1/', '--secret', 's'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Unknown flow "purchse". Did you mean purchase?')
  })
})
