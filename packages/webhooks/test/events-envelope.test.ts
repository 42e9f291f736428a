import { describe, expect, it } from 'vitest'
import { type ParseEventResult, parseEvent } from '../src/events/envelope.js'
import { fixtureEvent } from '../src/events/fixtures.js'

// The body of the curl test command in Aghanim's docs: several envelope fields are missing.
const docsCurlBody =
  '{"event_id":"whevt_eAeXhOxLwxy","event_type":"player.verify","idempotency_key":null,"event_data":{"player_id":"testplayer"},"context":null}'

function failure(result: ParseEventResult) {
  if (result.ok) throw new Error('expected the event to be rejected')
  return result
}

function withEnvelope(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...(fixtureEvent('item.add') as unknown as Record<string, unknown>), ...patch }
}

describe('parseEvent', () => {
  it("accepts the docs' curl test body", () => {
    const parsed = parseEvent(JSON.parse(docsCurlBody))
    expect(parsed.ok).toBe(true)
    expect(parsed.ok && parsed.event.event_type).toBe('player.verify')
  })

  it('accepts the published envelope example', () => {
    const example = {
      event_type: 'player.verify',
      event_data: { player_id: '2D2R-OP3C' },
      event_time: 1725534306,
      event_id: 'whevt_eBZXsUEITGeDcILaZFUvPthxkr',
      idempotency_key: null,
      sandbox: false,
      trigger: 'hub.login',
      request_id: 'd1593e9c-c291-4004-8846-6679c2e5810b',
      transaction_id: 'whtx_eBZXsUEITGeDcILaZFUvPthxkr',
      context: null,
      game_id: 'gm_exTAyxPsVwh',
    }
    expect(parseEvent(example)).toEqual({ ok: true, event: example })
  })

  it('accepts an envelope without idempotency_key, event_time or game_id', () => {
    expect(
      parseEvent({
        event_type: 'item.add',
        event_id: 'whevt_1',
        event_data: fixtureEvent('item.add').event_data,
      }).ok,
    ).toBe(true)
  })

  it('rejects a body that is not an object', () => {
    expect(failure(parseEvent(null))).toMatchObject({
      code: 'invalid_envelope',
      message: 'body: expected object, got null',
    })
    expect(failure(parseEvent([]))).toMatchObject({
      code: 'invalid_envelope',
      message: 'body: expected object, got array',
    })
    expect(failure(parseEvent('item.add')).message).toBe('body: expected object, got string')
    expect(failure(parseEvent(42)).message).toBe('body: expected object, got number')
  })

  it('rejects a missing event_type', () => {
    const { event_type: _removed, ...rest } = withEnvelope({})
    expect(failure(parseEvent(rest))).toMatchObject({
      code: 'invalid_envelope',
      message: 'event_type: expected non-empty string, got nothing',
    })
  })

  it('rejects a non-string or empty event_type', () => {
    expect(failure(parseEvent(withEnvelope({ event_type: 42 }))).message).toBe(
      'event_type: expected non-empty string, got number',
    )
    expect(failure(parseEvent(withEnvelope({ event_type: '' }))).message).toBe(
      'event_type: expected non-empty string, got empty string',
    )
  })

  it('rejects event_data that is not an object', () => {
    expect(failure(parseEvent(withEnvelope({ event_data: [] }))).message).toBe(
      'event_data: expected object, got array',
    )
    expect(failure(parseEvent(withEnvelope({ event_data: null }))).message).toBe(
      'event_data: expected object, got null',
    )
    expect(failure(parseEvent(withEnvelope({ event_data: undefined }))).code).toBe('invalid_envelope')
  })

  it('rejects a missing event_id and an empty idempotency_key, which would collide with every other', () => {
    expect(failure(parseEvent(withEnvelope({ event_id: undefined }))).message).toBe(
      'event_id: expected non-empty string, got nothing',
    )
    expect(failure(parseEvent(withEnvelope({ idempotency_key: '' }))).message).toBe(
      'idempotency_key: expected non-empty string, got empty string',
    )
  })

  it('rejects an absurdly long idempotency key', () => {
    expect(failure(parseEvent(withEnvelope({ idempotency_key: 'k'.repeat(5000) }))).message).toBe(
      'idempotency_key: expected at most 1024 characters, got 5000',
    )
  })

  it('names the path of a bad field inside event_data', () => {
    const event = fixtureEvent('item.add')
    const body = JSON.parse(JSON.stringify(event))
    body.event_data.items[0].quantity = '480000'
    expect(failure(parseEvent(body))).toMatchObject({
      code: 'invalid_event_data',
      message: 'event_data.items[0].quantity: expected integer, got string',
      envelope: body,
    })
  })

  it('counts the further issues in the message', () => {
    const body = withEnvelope({ event_data: {} })
    expect(failure(parseEvent(body)).message).toBe(
      'event_data.player_id: expected string, got nothing (and 2 more)',
    )
  })

  it('reports an unknown event type with its envelope, so a receiver can acknowledge it', () => {
    const body = withEnvelope({
      event_type: 'analytics.checkout.payment_method.opened',
      event_data: { any: 1 },
    })
    expect(failure(parseEvent(body))).toEqual({
      ok: false,
      code: 'unknown_event_type',
      message: 'Unknown event type "analytics.checkout.payment_method.opened"',
      issues: [],
      envelope: body,
    })
  })

  it('treats a subscription name sent as event_type as unknown', () => {
    expect(failure(parseEvent(withEnvelope({ event_type: 'payment.*' }))).code).toBe('unknown_event_type')
  })

  it('truncates a long unknown event type in the message', () => {
    const message = failure(parseEvent(withEnvelope({ event_type: 'x'.repeat(200) }))).message
    expect(message.length).toBeLessThan(100)
  })

  it('still checks the envelope of an unknown event type', () => {
    expect(failure(parseEvent({ event_type: 'brand.new', event_data: {} })).code).toBe('invalid_envelope')
  })
})

describe('parseEvent on hostile input', () => {
  it('survives 10,000 nested arrays in event_data', () => {
    const text = `{"event_type":"item.add","event_id":"whevt_1","event_data":{"player_id":"p","reason":"r","items":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`
    expect(failure(parseEvent(JSON.parse(text)))).toMatchObject({
      code: 'invalid_event_data',
      message: 'event_data.items[0]: expected object, got array',
    })
  })

  it('survives bundles nested 10,000 deep', () => {
    let item: Record<string, unknown> = { id: 'itm_1', sku: 's', name: 'n', quantity: 1 }
    for (let level = 0; level < 10_000; level++)
      item = { id: 'itm_1', sku: 's', name: 'n', quantity: 1, nested_items: [item] }
    const parsed = failure(
      parseEvent(withEnvelope({ event_data: { player_id: 'p', reason: 'r', items: [item] } })),
    )
    expect(parsed.code).toBe('invalid_event_data')
    expect(parsed.message).toMatch(/: nested deeper than 64 levels$/)
  })

  it('never echoes a huge string', () => {
    const parsed = failure(
      parseEvent(
        withEnvelope({ event_data: { player_id: 'p', reason: 'r', items: 'A'.repeat(10_000_000) } }),
      ),
    )
    expect(parsed.message).toBe('event_data.items: expected array, got string')
  })

  it('survives a huge array of wrong items, reporting only a few', () => {
    const items = Array.from({ length: 200_000 }, () => 1)
    const parsed = failure(parseEvent(withEnvelope({ event_data: { player_id: 'p', reason: 'r', items } })))
    expect(parsed.issues.length).toBeLessThanOrEqual(20)
  })
})
