import { describe, expect, it } from 'vitest'
import { eventLabel } from '../inspector/src/outcome.js'
import { SIGNATURE_CHECK_FAILURES } from '../src/api/admin-api-types.js'
import { verificationOf } from '../src/deliveries/delivery-json.js'

// The page and the server read one declaration of the API's shapes (src/api/admin-api-types.ts), so the
// compiler keeps them alike; what is left to check is the one list the page must name again at run time.
describe('the inspector names a delivery without an event type', () => {
  it('"(unverified)" for every code the server reports as a failed signature check', () => {
    for (const outcome of SIGNATURE_CHECK_FAILURES) {
      expect(verificationOf(outcome)).toEqual({ verified: false, reason: outcome })
      expect(eventLabel({ event_type: null, outcome })).toBe('(unverified)')
    }
  })

  it('"(not parsed)" when the signature held but the body could not be read as an event', () => {
    for (const outcome of ['invalid_json', 'invalid_envelope', 'unknown_event_type', 'body_too_large'])
      expect(eventLabel({ event_type: null, outcome })).toBe('(not parsed)')
  })

  it('its event type whenever it has one', () => {
    expect(eventLabel({ event_type: 'item.add', outcome: 'game_mismatch' })).toBe('item.add')
  })
})
