// Type-level behaviour of the catalogue. Vitest's typecheck mode compiles this file with tsconfig.test.json
// (it is never run): a failed expectTypeOf or an unused @ts-expect-error fails the test it sits in.
import { describe, expectTypeOf, it } from 'vitest'
import type {
  AnswerFor,
  PlayerLookupAnswer,
  PlayerUpdateAnswer,
  PlayerVerifyAnswer,
  StoreGetAnswer,
} from '../src/events/answers.js'
import type { DecisionEventType, EventData, EventType } from '../src/events/catalogue.js'
import { type AnyWebhookEvent, parseEvent, type WebhookEvent } from '../src/events/envelope.js'
import { fixtureEvent } from '../src/events/fixtures.js'
import type { Item } from '../src/events/shared.js'
import { type Infer, s } from '../src/schema.js'

describe('event types', () => {
  it('narrows event_data when switching on event_type', () => {
    const event = {} as AnyWebhookEvent
    switch (event.event_type) {
      case 'item.add':
        expectTypeOf(event.event_data.items).toEqualTypeOf<Item[]>()
        expectTypeOf(event.event_data.player_id).toEqualTypeOf<string>()
        break
      case 'order.paid':
        expectTypeOf(event.event_data.amount).toEqualTypeOf<number>()
        expectTypeOf(event.event_data.revenue_usd).toEqualTypeOf<number | undefined>()
        break
      case 'payment.succeeded':
        expectTypeOf(event.event_data.id).toEqualTypeOf<string>()
        // Undocumented payload: other keys are there, as unknown.
        expectTypeOf(event.event_data.order_id).toEqualTypeOf<unknown>()
        break
      case 'store.get':
        expectTypeOf(event.event_data.player_id).toEqualTypeOf<string | null | undefined>()
        break
    }
  })

  it('rejects unknown event types and unknown documented keys at compile time', () => {
    // @ts-expect-error not an event type
    fixtureEvent('item.added')
    const data: EventData<'player.verify'> = { player_id: 'p' }
    // @ts-expect-error a typo in a documented payload's key is a compile error
    void data.playerId
  })

  it('types fixtureEvent by its event type', () => {
    const event = fixtureEvent('coupon.redeemed')
    expectTypeOf(event).toEqualTypeOf<WebhookEvent<'coupon.redeemed'>>()
    expectTypeOf(event.event_data.coupon.code).toEqualTypeOf<string>()
    expectTypeOf(event.event_data.items).toEqualTypeOf<Item[] | undefined>()
  })

  it('types the envelope fields', () => {
    const event = fixtureEvent('fraud.reported')
    expectTypeOf(event.idempotency_key).toEqualTypeOf<string | null | undefined>()
    expectTypeOf(event.event_id).toEqualTypeOf<string>()
    expectTypeOf(event.context).toEqualTypeOf<Record<string, unknown> | null | undefined>()
  })

  it('narrows parseEvent results', () => {
    const parsed = parseEvent({})
    if (parsed.ok) expectTypeOf(parsed.event).toEqualTypeOf<AnyWebhookEvent>()
    else if (parsed.code === 'invalid_envelope') expectTypeOf(parsed).not.toHaveProperty('envelope')
    else expectTypeOf(parsed.envelope.event_type).toEqualTypeOf<string>()
  })

  it('names the decision events', () => {
    expectTypeOf<DecisionEventType>().toEqualTypeOf<'player.verify' | 'store.get' | 'player.lookup'>()
    expectTypeOf<'item.add'>().toExtend<EventType>()
  })
})

describe('answer types', () => {
  it('maps each event type to the answer its handler returns', () => {
    expectTypeOf<AnswerFor<'player.verify'>>().toEqualTypeOf<PlayerVerifyAnswer>()
    expectTypeOf<AnswerFor<'store.get'>>().toEqualTypeOf<StoreGetAnswer>()
    expectTypeOf<AnswerFor<'player.lookup'>>().toEqualTypeOf<PlayerLookupAnswer>()
    expectTypeOf<AnswerFor<'item.add'>>().toBeUnknown()
    expectTypeOf<AnswerFor<'player.update'>>().toEqualTypeOf<PlayerUpdateAnswer | undefined>()
    const answer: AnswerFor<'store.get'> = { items: [{ sku: 'crystals', price_override: 99 }] }
    expectTypeOf(answer.items).toBeArray()
  })

  it('requires the documented player fields and catches typos in optional ones', () => {
    // @ts-expect-error attributes is required
    const missing: PlayerVerifyAnswer = { player_id: 'p', name: 'Molly' }
    // @ts-expect-error avatarUrl is not a field (avatar_url is)
    const typo: PlayerVerifyAnswer = { player_id: 'p', name: 'Molly', attributes: {}, avatarUrl: 'x' }
    const vendor: PlayerVerifyAnswer = { player_id: 'p', name: 'Molly', attributes: { appsflyer_id: 'af' } }
    expectTypeOf([missing, typo, vendor]).toEqualTypeOf<PlayerVerifyAnswer[]>()
  })

  it('discriminates the lookup answer on status', () => {
    const answer = {} as PlayerLookupAnswer
    if (answer.status === 'error')
      expectTypeOf(answer.code).toEqualTypeOf<
        'not_found' | 'invalid_signature' | 'validation_error' | 'banned'
      >()
  })
})

describe('Infer', () => {
  it('makes optional keys optional and keeps required ones required', () => {
    const schema = s.object({
      sku: s.string(),
      note: s.optional(s.nullable(s.string())),
      tags: s.array(s.enum(['a', 'b'])),
    })
    expectTypeOf<Infer<typeof schema>>().toEqualTypeOf<{
      sku: string
      tags: ('a' | 'b')[]
      note?: string | null | undefined
    }>()
    expectTypeOf<Infer<ReturnType<typeof s.openObject>>>().toEqualTypeOf<Record<string, unknown>>()
  })
})
