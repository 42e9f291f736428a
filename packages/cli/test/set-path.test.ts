import { describe, expect, it } from 'vitest'
import { applyAssignment, parseAssignment } from '../src/payload/set-path.js'

describe('--set path=value', () => {
  it('keeps `=` values as strings, even when they look like numbers', () => {
    expect(parseAssignment('player_id=123')).toEqual({ path: ['event_data', 'player_id'], value: '123' })
  })

  it('parses `:=` values as JSON', () => {
    expect(parseAssignment('items[0].quantity:=5')).toEqual({
      path: ['event_data', 'items', 0, 'quantity'],
      value: 5,
    })
    expect(parseAssignment('context:={"level":3}')).toEqual({ path: ['context'], value: { level: 3 } })
  })

  it('addresses envelope fields from the root and everything else inside event_data', () => {
    expect(parseAssignment('idempotency_key=k').path).toEqual(['idempotency_key'])
    expect(parseAssignment('event_data.player_id=p').path).toEqual(['event_data', 'player_id'])
  })

  it('keeps `=` inside the value', () => {
    expect(parseAssignment('reason=a=b').value).toBe('a=b')
  })

  it.each(['items..sku=x', 'items[x]=1', '=value', '__proto__.polluted=1', 'a.constructor=1'])(
    'refuses the path in %s',
    (text) => {
      expect(() => parseAssignment(text)).toThrow(/--set/)
    },
  )

  it('creates the objects and arrays on the way', () => {
    const target: Record<string, unknown> = {}
    applyAssignment(target, parseAssignment('items[1].sku=gems'))
    expect(target).toEqual({ event_data: { items: [undefined, { sku: 'gems' }] } })
  })
})
