import {
  type AnyWebhookEvent,
  createRouter,
  decline,
  deny,
  type EventData,
  type HandlerContext,
  type Item,
  type PlayerVerifyAnswer,
  reply,
  type WebhookEvent,
} from 'aghanim-webhooks'
import { describe, expectTypeOf, it } from 'vitest'

// Vitest's typecheck mode compiles this file with tsconfig.test.json (it is never run): a type that stops
// narrowing, or a @ts-expect-error that no longer meets an error, fails the test it sits in.

type OrderEventType = 'order.created' | 'order.paid' | 'order.canceled' | 'order.refunded'

describe('router types', () => {
  it('narrows on(type) to that event type and its event_data', () => {
    createRouter().on('item.add', (event, context) => {
      expectTypeOf(event.event_type).toEqualTypeOf<'item.add'>()
      expectTypeOf(event.event_data).toEqualTypeOf<EventData<'item.add'>>()
      expectTypeOf(event.event_data.player_id).toEqualTypeOf<string>()
      expectTypeOf(event.event_data.items).toEqualTypeOf<Item[]>()
      expectTypeOf(context).toEqualTypeOf<HandlerContext>()
      expectTypeOf(context.key).toEqualTypeOf<string | null>()
      // @ts-expect-error item.add has no revenue
      event.event_data.revenue_usd
    })
  })

  it('narrows on("order.*") to the four order events', () => {
    createRouter().on('order.*', (event) => {
      expectTypeOf(event.event_type).toEqualTypeOf<OrderEventType>()
      expectTypeOf(event.event_data).toEqualTypeOf<EventData<OrderEventType>>()
      expectTypeOf(event.event_data.id).toEqualTypeOf<string>()
      expectTypeOf(event).toEqualTypeOf<
        | WebhookEvent<'order.created'>
        | WebhookEvent<'order.paid'>
        | WebhookEvent<'order.canceled'>
        | WebhookEvent<'order.refunded'>
      >()
    })
  })

  it('narrows a pattern further with a switch on event_type', () => {
    createRouter().on('order.*', (event) => {
      if (event.event_type === 'order.paid') {
        expectTypeOf(event.event_data).toEqualTypeOf<EventData<'order.paid'>>()
        expectTypeOf(event.event_data.revenue_usd).toEqualTypeOf<number | undefined>()
      }
    })
  })

  it('narrows a list of types to their union', () => {
    createRouter().on(['item.add', 'item.remove'], (event) => {
      expectTypeOf(event.event_type).toEqualTypeOf<'item.add' | 'item.remove'>()
      expectTypeOf(event.event_data.items).toEqualTypeOf<Item[]>()
    })
  })

  it('gives onAny every event, discriminated by event_type', () => {
    createRouter().onAny((event) => {
      expectTypeOf(event).toEqualTypeOf<AnyWebhookEvent>()
      if (event.event_type === 'store.get')
        expectTypeOf(event.event_data).toEqualTypeOf<EventData<'store.get'>>()
    })
  })

  it('rejects event types and patterns the catalogue does not know', () => {
    // @ts-expect-error not an Aghanim event type
    createRouter().on('item.added', () => undefined)
    // @ts-expect-error Aghanim has no item.* subscription
    createRouter().on('item.*', () => undefined)
  })

  it('makes a player.verify handler return a player answer (or a deny)', () => {
    const player: PlayerVerifyAnswer = { player_id: 'p', name: 'Molly', attributes: {} }
    createRouter().on('player.verify', () => player)
    createRouter().on('player.verify', async (event) => ({
      player_id: event.event_data.player_id,
      name: 'M',
      attributes: {},
    }))
    createRouter().on('player.verify', () => deny('Banned'))
    // @ts-expect-error name is required
    createRouter().on('player.verify', () => ({ player_id: 'p', attributes: {} }))
    // @ts-expect-error an answer is required
    createRouter().on('player.verify', () => undefined)
    // @ts-expect-error attributes is an object
    createRouter().on('player.verify', () => ({ player_id: 'p', name: 'M', attributes: 'none' }))
  })

  it('makes a store.get handler return its items', () => {
    createRouter().on('store.get', () => ({ items: [{ sku: 'crystals', start_at: null }] }))
    // @ts-expect-error sku is a string
    createRouter().on('store.get', () => ({ items: [{ sku: 1 }] }))
  })

  it('keeps the literals of player.lookup and player.update answers written inline', () => {
    createRouter().on('player.lookup', () => ({ status: 'ok', data: [] }))
    createRouter().on('player.lookup', async () => ({
      status: 'error',
      code: 'not_found',
      message: 'No match',
    }))
    createRouter().on('player.update', () => {
      return { status: 'error', code: 'validation_error', message: 'Bad email' }
    })
    createRouter().on('player.update', () => undefined)
    // @ts-expect-error not one of the documented codes
    createRouter().on('player.lookup', () => ({ status: 'error', code: 'nope', message: 'x' }))
  })

  it('lets a notification or fulfilment handler return nothing, a decline or a reply', () => {
    createRouter().on('item.add', () => undefined)
    createRouter().on('item.add', async () => {})
    createRouter().on('item.add', () => decline('Out of stock'))
    createRouter().on('order.paid', () => reply(202, { status: 'ok' }))
    createRouter().on('order.*', (event) => event.event_data.id) // ignored: the answer is {"status":"ok"}
  })

  it('types transact() work with the store transaction', () => {
    interface Tx {
      query(sql: string): void
    }
    createRouter<Tx>().on('item.add', (_event, { transact }) => {
      transact((tx) => {
        expectTypeOf(tx).toEqualTypeOf<Tx>()
      })
    })
  })
})
