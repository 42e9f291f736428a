import { MemoryStore } from 'aghanim-webhooks'
import { manualClock, runStoreConformance } from 'aghanim-webhooks/testing'
import { describe, expect, test } from 'vitest'

runStoreConformance(
  'MemoryStore (manual clock)',
  async () => {
    const clock = manualClock()
    return { store: new MemoryStore({ now: clock.now }), clock, cleanup: async () => {} }
  },
  { describe, expect, test },
  { completeUnclaimed: true },
)

runStoreConformance(
  'MemoryStore (real clock)',
  async () => ({ store: new MemoryStore(), cleanup: async () => {} }),
  { describe, expect, test },
  { completeUnclaimed: true },
)

describe('MemoryStore', () => {
  test('forgets the oldest settled keys beyond maxSettledKeys, and only those', async () => {
    const store = new MemoryStore({ maxSettledKeys: 2 })
    for (const key of ['a', 'b', 'c']) {
      const claim = await store.claim(key, { leaseMs: 60_000 })
      if (claim.kind === 'acquired') await store.complete(key, claim.token, { status: 200, body: key })
    }
    const kinds = await Promise.all(
      ['a', 'b', 'c'].map(async (key) => (await store.claim(key, { leaseMs: 60_000 })).kind),
    )
    expect(kinds).toEqual(['acquired', 'completed', 'completed'])
  })

  test('never forgets a key whose lease is still held', async () => {
    const store = new MemoryStore({ maxSettledKeys: 1 })
    await store.claim('held', { leaseMs: 60_000 })
    for (const key of ['x', 'y', 'z']) {
      const claim = await store.claim(key, { leaseMs: 60_000 })
      if (claim.kind === 'acquired') await store.release(key, claim.token)
    }
    expect((await store.claim('held', { leaseMs: 60_000 })).kind).toBe('busy')
  })

  test('a lease taken over while async work ran makes complete false', async () => {
    const clock = manualClock()
    const store = new MemoryStore({ now: clock.now })
    const first = await store.claim('slow', { leaseMs: 1_000 })
    if (first.kind !== 'acquired') throw new Error('expected to acquire')
    const slowWork = async () => {
      clock.advance(2_000)
      await store.claim('slow', { leaseMs: 1_000 })
    }
    expect(await store.complete('slow', first.token, { status: 200, body: '{}' }, [slowWork])).toBe(false)
    expect((await store.claim('slow', { leaseMs: 1_000 })).kind).toBe('busy')
  })
})
