import {
  AghanimWebhookError,
  type AnyWebhookEvent,
  createRouter,
  createWebhookHandler,
  fixtureEvent,
  type Router,
} from 'aghanim-webhooks'
import { signedRequest } from 'aghanim-webhooks/testing'
import { describe, expect, it } from 'vitest'

const SECRET = 'whsec_router_X1'
const noContext = {
  key: null,
  attempt: 1,
  transact: () => undefined,
  body: new Uint8Array(),
  headers: new Headers(),
  game: null,
  sandbox: false,
  scope: '',
}

/** Which registered handler `router` picks for `type`, by the label the handler returns. */
function picked(router: Router, type: string) {
  return router.resolve(type)?.(fixtureEvent('item.add') as AnyWebhookEvent, noContext)
}

describe('router: resolution', () => {
  const router = createRouter()
    .on('order.paid', () => 'exact')
    .on('order.*', () => 'pattern')
    .onAny(() => 'any')

  it('prefers an exact name over a pattern', () => {
    expect(picked(router, 'order.paid')).toBe('exact')
  })

  it('prefers a pattern over onAny', () => {
    expect(picked(router, 'order.refunded')).toBe('pattern')
  })

  it('falls back to onAny for everything else', () => {
    expect(picked(router, 'item.add')).toBe('any')
    expect(picked(router, 'payment.succeeded')).toBe('any')
  })

  it('does not match a pattern against its bare family name or a longer family', () => {
    expect(picked(router, 'order')).toBe('any')
    expect(picked(router, 'orders.paid')).toBe('any')
    expect(picked(router, 'order.')).toBe('any')
  })

  it('resolves nothing when no handler applies', () => {
    expect(
      createRouter()
        .on('item.add', () => undefined)
        .resolve('item.remove'),
    ).toBeUndefined()
  })

  it('registers one handler for several types at once', () => {
    const several = createRouter().on(['item.add', 'item.remove'], () => 'grant')
    expect([
      picked(several, 'item.add'),
      picked(several, 'item.remove'),
      picked(several, 'order.paid'),
    ]).toEqual(['grant', 'grant', undefined])
  })

  it('is order-independent: an exact name registered after a pattern still wins', () => {
    const late = createRouter()
      .onAny(() => 'any')
      .on('payment.*', () => 'pattern')
      .on('payment.refunded', () => 'exact')
    expect([picked(late, 'payment.refunded'), picked(late, 'payment.voided')]).toEqual(['exact', 'pattern'])
  })

  it('routes real deliveries the same way through the handler', async () => {
    const seen: string[] = []
    const routed = createRouter()
      .on('order.paid', () => void seen.push('exact'))
      .on('order.*', (event) => void seen.push(`pattern ${event.event_type}`))
      .onAny((event) => void seen.push(`any ${event.event_type}`))
    const handle = createWebhookHandler({ secret: SECRET, router: routed })
    for (const type of ['order.paid', 'order.created', 'coupon.redeemed'] as const) {
      const response = await handle(await signedRequest({ secret: SECRET, event: fixtureEvent(type) }))
      expect(response.status).toBe(200)
    }
    expect(seen).toEqual(['exact', 'pattern order.created', 'any coupon.redeemed'])
  })
})

describe('router: configuration errors', () => {
  function configError(register: () => unknown) {
    try {
      register()
    } catch (error) {
      expect(error).toBeInstanceOf(AghanimWebhookError)
      return error as AghanimWebhookError
    }
    throw new Error('expected the registration to throw')
  }

  it.each([
    ['type', 'item.add'],
    ['pattern', 'payment.*'],
  ] as const)('throws invalid_config naming it when the same %s is registered twice', (_kind, type) => {
    const error = configError(() =>
      createRouter()
        .on(type, () => undefined)
        .on(type, () => undefined),
    )
    expect(error.code).toBe('invalid_config')
    expect(error.message).toContain(type)
  })

  it('throws invalid_config when a list repeats a type already registered, registering none of the list', () => {
    const router = createRouter().on('item.remove', () => 'first')
    expect(configError(() => router.on(['item.add', 'item.remove'], () => 'second')).code).toBe(
      'invalid_config',
    )
    expect(router.resolve('item.add')).toBeUndefined()
    expect(picked(router, 'item.remove')).toBe('first')
  })

  it('throws invalid_config when one list names a type twice', () => {
    expect(configError(() => createRouter().on(['item.add', 'item.add'], () => undefined)).code).toBe(
      'invalid_config',
    )
  })

  it('throws invalid_config when onAny is set twice', () => {
    expect(
      configError(() =>
        createRouter()
          .onAny(() => undefined)
          .onAny(() => undefined),
      ).code,
    ).toBe('invalid_config')
  })

  it('keeps error hooks in registration order', () => {
    const first = () => undefined
    const second = () => undefined
    expect(createRouter().onError(first).onError(second).errorHooks).toEqual([first, second])
  })
})
