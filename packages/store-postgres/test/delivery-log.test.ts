// The delivery log's batch insert sends one array per column, the bodies end to end in one bytea and the
// headers as one JSON array: every row must get its own body and headers back, whatever the mix.
import { deliveryInput } from 'aghanim-webhooks/testing'
import { describe, expect, test } from 'vitest'
import { useSchemaStore } from './database.js'

const { store } = useSchemaStore('batch')

const bytes = (...values: number[]) => new Uint8Array(values)

describe('PostgresStore.deliveries batches', () => {
  test('each row of a batch gets its own body (bytes, text, empty, none) and headers', async () => {
    const given: { id: string; body: Uint8Array | string | null; headers: Record<string, string> }[] = [
      { id: 'b-bytes', body: bytes(0x00, 0xff, 0x5c, 0x22, 0x7b), headers: { 'x-a': '"quoted" \\ back' } },
      { id: 'b-none', body: null, headers: {} },
      { id: 'b-empty', body: new Uint8Array(0), headers: { 'x-b': 'NULL' } },
      { id: 'b-text', body: '{"name":"Ælfrida 🗡"}', headers: { 'x-c': '{,}' } },
      { id: 'b-last', body: bytes(1, 2, 3), headers: { 'x-d': 'd' } },
    ]
    const ids = await store().deliveries.appendMany(
      given.map(({ id, body, headers }) =>
        deliveryInput({
          id,
          body,
          headers,
          eventId: null,
          key: null,
          replayOf: 'r"1',
          duplicate: id === 'b-none',
        }),
      ),
    )
    expect(ids).toEqual(given.map((row) => row.id))
    for (const { id, body, headers } of given) {
      const stored = await store().deliveries.get(id)
      expect(stored?.body).toEqual(typeof body === 'string' ? new TextEncoder().encode(body) : body)
      expect(stored?.headers).toEqual(headers)
      expect(stored?.eventId).toBe(null)
      expect(stored?.replayOf).toBe('r"1')
      expect(stored?.duplicate).toBe(id === 'b-none')
    }
  })

  test('a batch of more than one statement keeps each body with its row across the split', async () => {
    const records = Array.from({ length: 1003 }, (_, index) =>
      deliveryInput({
        id: `split-${index}`,
        body: index % 7 === 0 ? null : `body ${index}`,
        headers: { 'x-index': String(index) },
        sandbox: index % 2 === 0,
      }),
    )
    await store().deliveries.appendMany(records)
    for (const index of [0, 1, 998, 999, 1000, 1001, 1002]) {
      const stored = await store().deliveries.get(`split-${index}`)
      expect(stored?.body).toEqual(index % 7 === 0 ? null : new TextEncoder().encode(`body ${index}`))
      expect(stored?.headers).toEqual({ 'x-index': String(index) })
      expect(stored?.sandbox).toBe(index % 2 === 0)
    }
  })
})
