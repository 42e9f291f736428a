import type { DeliveryInput } from '../delivery-log/contract.js'

/**
 * A delivery-log record to append in a test: an `item.add` answered 200, with whatever fields `overrides`
 * changes. Used by `runDeliveryLogConformance`, and for your own `DeliveryLog` tests.
 *
 * @example await log.append(deliveryInput({ receivedAt: Date.now(), outcome: 'signature_mismatch' }))
 */
export function deliveryInput(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return {
    receivedAt: Date.UTC(2025, 5, 1),
    method: 'POST',
    path: '/webhook',
    headers: { 'content-type': 'application/json' },
    body: '{"event_type":"item.add"}',
    outcome: 'ok',
    eventId: 'evt_1',
    eventType: 'item.add',
    key: 'evt_1',
    playerId: 'player_1',
    status: 200,
    responseBody: '{"status":"ok"}',
    durationMs: 3,
    attempt: 1,
    duplicate: false,
    replayOf: null,
    game: null,
    sandbox: false,
    ...overrides,
  }
}
