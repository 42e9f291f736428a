import { describe, expect, it } from 'vitest'
import { validateAnswer } from '../src/events/answers.js'

function messageOf(result: ReturnType<typeof validateAnswer>): string {
  if (result.ok) throw new Error('expected the answer to be rejected')
  return result.message
}

describe('validateAnswer: player.verify', () => {
  const molly = {
    player_id: '1x1x-xxxx1',
    name: 'Molly',
    attributes: {
      platform: 'ios',
      singular_device_id: { idfa: 'D2CADB5F' },
      singular_app_id: 'com.singular.app',
    },
  }

  it("accepts the docs' Singular example, keeping vendor attributes", () => {
    expect(validateAnswer('player.verify', molly)).toEqual({ ok: true, value: molly })
  })

  it('accepts every documented optional field', () => {
    const full = {
      ...molly,
      avatar_url: 'https://example.com/molly.png',
      email: 'molly@example.com',
      banned: false,
      segments: ['whale'],
      country: 'US',
      custom_attributes: { guild: 'Owls' },
      balances: [{ sku: 'gold', amount: 10 }],
    }
    expect(validateAnswer('player.verify', full).ok).toBe(true)
  })

  it('requires player_id, name and attributes', () => {
    expect(messageOf(validateAnswer('player.verify', { player_id: 'p', name: 'Molly' }))).toBe(
      'attributes: expected object, got nothing',
    )
    expect(messageOf(validateAnswer('player.verify', { name: 'Molly', attributes: {} }))).toBe(
      'player_id: expected non-empty string, got nothing',
    )
  })

  it('rejects an answer that is not an object', () => {
    expect(messageOf(validateAnswer('player.verify', undefined))).toBe('answer: expected object, got nothing')
  })

  it('rejects a wrong-typed documented attribute', () => {
    expect(messageOf(validateAnswer('player.verify', { ...molly, attributes: { level: '5' } }))).toBe(
      'attributes.level: expected integer, got string',
    )
  })
})

describe('validateAnswer: store.get', () => {
  it('accepts the documented example', () => {
    const answer = {
      items: [{ sku: 'crystals' }, { sku: 'shield', start_at: 1630000000, end_at: 1635000000 }],
    }
    expect(validateAnswer('store.get', answer)).toEqual({ ok: true, value: answer })
  })

  it('names the bad item', () => {
    expect(messageOf(validateAnswer('store.get', { items: [{ sku: 'a' }, { sku: 42 }] }))).toBe(
      'items[1].sku: expected string, got number',
    )
  })

  it('requires the items array', () => {
    expect(messageOf(validateAnswer('store.get', {}))).toBe('items: expected array, got nothing')
  })
})

describe('validateAnswer: player.lookup', () => {
  it('accepts the documented success and error bodies', () => {
    const found = {
      status: 'ok',
      data: [
        { name: 'PlayerOne', avatar_url: 'https://example.com/a.png', player: { account_id: '123456' } },
      ],
    }
    expect(validateAnswer('player.lookup', found).ok).toBe(true)
    expect(validateAnswer('player.lookup', { status: 'error', code: 'banned', message: 'Banned' }).ok).toBe(
      true,
    )
  })

  it('rejects an undocumented error code', () => {
    expect(messageOf(validateAnswer('player.lookup', { status: 'error', code: 'gone', message: 'x' }))).toBe(
      'code: expected "not_found" | "invalid_signature" | "validation_error" | "banned", got string',
    )
  })

  it('rejects an entry without its player', () => {
    expect(messageOf(validateAnswer('player.lookup', { status: 'ok', data: [{ name: 'PlayerOne' }] }))).toBe(
      'data[0].player: expected object, got nothing',
    )
  })
})

describe('validateAnswer: player.update', () => {
  it('answers {"status":"ok"} when the handler returns nothing', () => {
    expect(validateAnswer('player.update', undefined)).toEqual({ ok: true, value: { status: 'ok' } })
  })

  it('accepts the documented error, which has no banned code', () => {
    expect(
      validateAnswer('player.update', { status: 'error', code: 'not_found', message: 'Player not found' }).ok,
    ).toBe(true)
    expect(validateAnswer('player.update', { status: 'error', code: 'banned', message: 'x' }).ok).toBe(false)
  })
})

describe('validateAnswer: notifications', () => {
  it('always answers {"status":"ok"}, whatever the handler returned', () => {
    expect(validateAnswer('item.add', { granted: 3 })).toEqual({ ok: true, value: { status: 'ok' } })
    expect(validateAnswer('order.paid', undefined)).toEqual({ ok: true, value: { status: 'ok' } })
  })
})
