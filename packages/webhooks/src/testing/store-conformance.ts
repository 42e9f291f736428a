import type { ClaimResult, IdempotencyStore, StoredAnswer, TransactionWork } from '../idempotency/store.js'
import { type ManualClock, rejection, type TestFunctions, uniqueKey } from './harness.js'

/** One fresh store for one conformance case. */
export interface StoreUnderTest<Tx> {
  store: IdempotencyStore<Tx>
  /** The clock the store reads. Without one, lease-expiry cases use short real leases and wait for them. */
  clock?: ManualClock
  /**
   * Work that writes one row tagged `tag` inside the store's transaction, and a count of committed rows.
   * With it the suite also checks that a failing work item rolls back the items before it; without it the
   * suite counts how often work was called.
   */
  effects?: { record(tag: string): TransactionWork<Tx>; count(tag: string): Promise<number> }
  /** Closes the store and removes what the case created. */
  cleanup(): Promise<void>
}

const LONG_LEASE = 60_000
const SHORT_LEASE = 40

/**
 * Registers the idempotency Store conformance suite: the behaviours `createWebhookHandler` relies on for
 * exactly-once processing. Every store in this project passes it; run it on your own store too.
 *
 * @example
 * import { describe, expect, test } from 'vitest'
 * import { manualClock, runStoreConformance } from 'aghanim-webhooks/testing'
 *
 * runStoreConformance('RedisStore', async () => {
 *   const clock = manualClock()
 *   const store = await openRedisStore({ url, now: clock.now })
 *   return { store, clock, cleanup: () => store.close() }
 * }, { describe, expect, test })
 *
 * A store with the optional `completeUnclaimed` passes `{ completeUnclaimed: true }` as the fourth argument,
 * which adds that method's cases.
 */
export function runStoreConformance<Tx>(
  name: string,
  makeStore: () => Promise<StoreUnderTest<Tx>>,
  { describe, expect, test }: TestFunctions,
  { completeUnclaimed = false }: { completeUnclaimed?: boolean } = {},
): void {
  const withStore = (title: string, body: (subject: Harness<Tx>) => Promise<void>) =>
    test(title, async () => {
      const subject = await makeStore()
      try {
        await body(harness(subject))
      } finally {
        await subject.cleanup()
      }
    })

  describe(`${name} conforms to the idempotency Store contract`, () => {
    withStore('the first claim of a key acquires it as attempt 1', async ({ store }) => {
      const claim = await store.claim(uniqueKey('first'), {
        leaseMs: LONG_LEASE,
        eventType: 'item.add',
        eventId: 'evt_1',
      })
      expect(claim.kind).toBe('acquired')
      expect(acquired(claim).attempt).toBe(1)
      expect(typeof acquired(claim).token).toBe('string')
      expect(acquired(claim).token.length).toBeGreaterThan(0)
    })

    withStore('a claim while the key is leased is busy until the lease ends', async ({ store, now }) => {
      const key = uniqueKey('busy')
      const before = now()
      await store.claim(key, { leaseMs: LONG_LEASE })
      const second = await store.claim(key, { leaseMs: LONG_LEASE })
      expect(second.kind).toBe('busy')
      if (second.kind !== 'busy') return
      expect(second.leaseExpiresAt).toBeGreaterThanOrEqual(before + LONG_LEASE)
    })

    withStore('a claim after complete returns the same answer, status and body', async ({ store }) => {
      const key = uniqueKey('answer')
      const token = acquired(await store.claim(key, { leaseMs: LONG_LEASE })).token
      const answer: StoredAnswer = { status: 201, body: '{"status":"ok","note":"grant × 2 — 🎁"}' }
      expect(await store.complete(key, token, answer)).toBe(true)
      const again = await store.claim(key, { leaseMs: LONG_LEASE })
      expect(again.kind).toBe('completed')
      if (again.kind !== 'completed') return
      expect(again.answer).toEqual(answer)
      expect(typeof again.completedAt).toBe('number')
    })

    withStore('a completed key never runs again, even long after its lease', async ({ store, advance }) => {
      const key = uniqueKey('forever')
      const token = acquired(await store.claim(key, { leaseMs: SHORT_LEASE })).token
      expect(await store.complete(key, token, { status: 200, body: '{}' })).toBe(true)
      await advance(SHORT_LEASE * 3)
      expect((await store.claim(key, { leaseMs: SHORT_LEASE })).kind).toBe('completed')
      expect(await store.complete(key, token, { status: 200, body: '{"again":true}' })).toBe(false)
      const final = await store.claim(key, { leaseMs: SHORT_LEASE })
      expect(final.kind === 'completed' ? final.answer.body : final.kind).toBe('{}')
    })

    withStore('release lets the next claim acquire at once', async ({ store }) => {
      const key = uniqueKey('release')
      const first = acquired(await store.claim(key, { leaseMs: LONG_LEASE }))
      await store.release(key, first.token)
      const next = await store.claim(key, { leaseMs: LONG_LEASE })
      expect(next.kind).toBe('acquired')
      expect(acquired(next).token === first.token).toBe(false)
    })

    withStore('release with a wrong token leaves the lease in place', async ({ store }) => {
      const key = uniqueKey('wrong-release')
      await store.claim(key, { leaseMs: LONG_LEASE })
      await store.release(key, 'not-the-token')
      expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('busy')
    })

    withStore('release after complete does not undo the completion', async ({ store }) => {
      const key = uniqueKey('release-completed')
      const token = acquired(await store.claim(key, { leaseMs: LONG_LEASE })).token
      await store.complete(key, token, { status: 200, body: '{"status":"ok"}' })
      await store.release(key, token)
      expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('completed')
    })

    withStore(
      'an expired lease is re-claimed and the old token can no longer commit',
      async ({ store, advance, work }) => {
        const key = uniqueKey('expired')
        const old = acquired(await store.claim(key, { leaseMs: SHORT_LEASE }))
        await advance(SHORT_LEASE * 2)
        const taken = await store.claim(key, { leaseMs: LONG_LEASE })
        expect(taken.kind).toBe('acquired')
        expect(acquired(taken).attempt).toBe(2)
        expect(
          await store.complete(key, old.token, { status: 200, body: '{"by":"old"}' }, [work.record(key)]),
        ).toBe(false)
        expect(await work.count(key)).toBe(0)
        expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('busy')
        expect(
          await store.complete(key, acquired(taken).token, { status: 200, body: '{"by":"new"}' }, [
            work.record(key),
          ]),
        ).toBe(true)
        const final = await store.claim(key, { leaseMs: LONG_LEASE })
        expect(final.kind === 'completed' ? final.answer.body : final.kind).toBe('{"by":"new"}')
        expect(await work.count(key)).toBe(1)
      },
    )

    withStore(
      'complete with a wrong token is false and leaves the lease to its holder',
      async ({ store, work }) => {
        const key = uniqueKey('wrong-token')
        const token = acquired(await store.claim(key, { leaseMs: LONG_LEASE })).token
        expect(await store.complete(key, `${token}x`, { status: 200, body: '{}' }, [work.record(key)])).toBe(
          false,
        )
        expect(await work.count(key)).toBe(0)
        expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('busy')
        expect(await store.complete(key, token, { status: 200, body: '{}' })).toBe(true)
      },
    )

    withStore('complete of a key never claimed is false', async ({ store, work }) => {
      const key = uniqueKey('unclaimed')
      expect(await store.complete(key, 'token', { status: 200, body: '{}' }, [work.record(key)])).toBe(false)
      expect(await work.count(key)).toBe(0)
      expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('acquired')
    })

    withStore(
      'work runs exactly once, with the transaction, when complete succeeds',
      async ({ store, work }) => {
        const key = uniqueKey('work')
        const token = acquired(await store.claim(key, { leaseMs: LONG_LEASE })).token
        expect(
          await store.complete(key, token, { status: 200, body: '{}' }, [
            work.record(key),
            work.record(`${key}:second`),
          ]),
        ).toBe(true)
        expect(await work.count(key)).toBe(1)
        expect(await work.count(`${key}:second`)).toBe(1)
      },
    )

    withStore(
      'a failing work item rejects complete and commits nothing; a retry then succeeds',
      async ({ store, work, transactional }) => {
        const key = uniqueKey('failing-work')
        const first = acquired(await store.claim(key, { leaseMs: LONG_LEASE }))
        const failure = new Error('the ledger refused')
        const failing: TransactionWork<Tx> = () => {
          throw failure
        }
        const error = await rejection(
          store.complete(key, first.token, { status: 200, body: '{"by":"first"}' }, [
            work.record(key),
            failing,
          ]),
        )
        expect(error instanceof Error).toBe(true)
        if (transactional) expect(await work.count(key)).toBe(0)
        expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('busy')
        await store.release(key, first.token)
        const retry = acquired(await store.claim(key, { leaseMs: LONG_LEASE }))
        expect(
          await store.complete(key, retry.token, { status: 200, body: '{"by":"retry"}' }, [
            work.record(`${key}:retry`),
          ]),
        ).toBe(true)
        expect(await work.count(`${key}:retry`)).toBe(1)
        const final = await store.claim(key, { leaseMs: LONG_LEASE })
        expect(final.kind === 'completed' ? final.answer.body : final.kind).toBe('{"by":"retry"}')
      },
    )

    withStore('200 concurrent claims of one key: exactly one acquires', async ({ store }) => {
      const key = uniqueKey('race')
      const claims = await Promise.all(
        Array.from({ length: 200 }, () => store.claim(key, { leaseMs: LONG_LEASE })),
      )
      expect(claims.filter((claim) => claim.kind === 'acquired').length).toBe(1)
      expect(claims.filter((claim) => claim.kind === 'busy').length).toBe(199)
    })

    withStore(
      '200 concurrent claims of one expired key: exactly one takes it over',
      async ({ store, advance }) => {
        const key = uniqueKey('race-expired')
        await store.claim(key, { leaseMs: SHORT_LEASE })
        await advance(SHORT_LEASE * 2)
        const claims = await Promise.all(
          Array.from({ length: 200 }, () => store.claim(key, { leaseMs: LONG_LEASE })),
        )
        const winners = claims.filter((claim) => claim.kind === 'acquired')
        expect(winners.length).toBe(1)
        expect(acquired(winners[0]).attempt).toBe(2)
      },
    )

    withStore('keys are independent', async ({ store }) => {
      const a = uniqueKey('a')
      const b = uniqueKey('b')
      const tokenA = acquired(await store.claim(a, { leaseMs: LONG_LEASE })).token
      expect((await store.claim(b, { leaseMs: LONG_LEASE })).kind).toBe('acquired')
      await store.complete(a, tokenA, { status: 200, body: '{"key":"a"}' })
      expect((await store.claim(b, { leaseMs: LONG_LEASE })).kind).toBe('busy')
      expect(await store.complete(b, tokenA, { status: 200, body: '{"key":"b"}' })).toBe(false)
    })

    withStore('attempt counts increase with every acquisition', async ({ store, advance }) => {
      const key = uniqueKey('attempts')
      const first = acquired(await store.claim(key, { leaseMs: LONG_LEASE }))
      await store.release(key, first.token)
      const second = acquired(await store.claim(key, { leaseMs: SHORT_LEASE }))
      await advance(SHORT_LEASE * 2)
      const third = acquired(await store.claim(key, { leaseMs: LONG_LEASE }))
      expect([first.attempt, second.attempt, third.attempt]).toEqual([1, 2, 3])
    })
  })

  if (!completeUnclaimed) return
  const unclaimedOf = (store: IdempotencyStore<Tx>) => {
    expect(typeof store.completeUnclaimed).toBe('function')
    return (key: string, answer: StoredAnswer, work: readonly TransactionWork<Tx>[] = []) =>
      store.completeUnclaimed!(key, answer, work, { leaseMs: LONG_LEASE, eventType: 'item.add' })
  }

  describe(`${name} conforms to the contract of completeUnclaimed`, () => {
    withStore(
      'a key nobody claimed is recorded with its answer and its work, once',
      async ({ store, work }) => {
        const key = uniqueKey('unclaimed-new')
        const answer: StoredAnswer = { status: 200, body: '{"status":"ok","granted":"🎁"}' }
        expect(await unclaimedOf(store)(key, answer, [work.record(key)])).toBe(true)
        expect(await work.count(key)).toBe(1)
        const again = await store.claim(key, { leaseMs: LONG_LEASE })
        expect(again.kind === 'completed' && again.answer).toEqual(answer)
      },
    )

    withStore(
      'a completed key is left as it is: false, and the work does not commit',
      async ({ store, work }) => {
        const key = uniqueKey('unclaimed-completed')
        expect(await unclaimedOf(store)(key, { status: 200, body: '{"by":"first"}' })).toBe(true)
        expect(
          await unclaimedOf(store)(key, { status: 200, body: '{"by":"second"}' }, [work.record(key)]),
        ).toBe(false)
        expect(await work.count(key)).toBe(0)
        const final = await store.claim(key, { leaseMs: LONG_LEASE })
        expect(final.kind === 'completed' ? final.answer.body : final.kind).toBe('{"by":"first"}')
      },
    )

    withStore(
      "a claimed key stays its holder's: false, and the holder still completes",
      async ({ store, work }) => {
        const key = uniqueKey('unclaimed-held')
        const held = acquired(await store.claim(key, { leaseMs: LONG_LEASE }))
        expect(await unclaimedOf(store)(key, { status: 200, body: '{}' }, [work.record(key)])).toBe(false)
        expect(await work.count(key)).toBe(0)
        expect(await store.complete(key, held.token, { status: 200, body: '{"by":"holder"}' })).toBe(true)
      },
    )

    withStore(
      'a released key is left for the next claim, which acquires it as attempt 2',
      async ({ store }) => {
        const key = uniqueKey('unclaimed-released')
        await store.release(key, acquired(await store.claim(key, { leaseMs: LONG_LEASE })).token)
        expect(await unclaimedOf(store)(key, { status: 200, body: '{}' })).toBe(false)
        expect(acquired(await store.claim(key, { leaseMs: LONG_LEASE })).attempt).toBe(2)
      },
    )

    withStore(
      '50 concurrent calls for one key: exactly one records it, its work once',
      async ({ store, work }) => {
        const key = uniqueKey('unclaimed-race')
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, index) =>
            unclaimedOf(store)(key, { status: 200, body: `{"by":${index}}` }, [work.record(key)]),
          ),
        )
        expect(results.filter(Boolean).length).toBe(1)
        expect(await work.count(key)).toBe(1)
        const final = await store.claim(key, { leaseMs: LONG_LEASE })
        expect(final.kind === 'completed' && final.answer.body).toBe(`{"by":${results.indexOf(true)}}`)
      },
    )

    withStore(
      'a failing work item rejects and records no answer: a claim then acquires',
      async ({ store, work, transactional }) => {
        const key = uniqueKey('unclaimed-failing')
        const failing: TransactionWork<Tx> = () => {
          throw new Error('the ledger refused')
        }
        const error = await rejection(
          unclaimedOf(store)(key, { status: 200, body: '{}' }, [work.record(key), failing]),
        )
        expect(error instanceof Error).toBe(true)
        if (transactional) expect(await work.count(key)).toBe(0)
        expect((await store.claim(key, { leaseMs: LONG_LEASE })).kind).toBe('acquired')
      },
    )
  })
}

interface Harness<Tx> {
  store: IdempotencyStore<Tx>
  now(): number
  /** Moves the store's clock past `ms`, or waits that long when the store runs on real time. */
  advance(ms: number): Promise<void>
  work: { record(tag: string): TransactionWork<Tx>; count(tag: string): Promise<number> }
  transactional: boolean
}

function harness<Tx>(subject: StoreUnderTest<Tx>): Harness<Tx> {
  const clock = subject.clock
  return {
    store: subject.store,
    now: clock ? clock.now : Date.now,
    advance: clock
      ? async (ms) => clock.advance(ms)
      : (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    work: subject.effects ?? callCounter<Tx>(),
    transactional: subject.effects !== undefined,
  }
}

function callCounter<Tx>(): Harness<Tx>['work'] {
  const calls = new Map<string, number>()
  return {
    record: (tag) => () => {
      calls.set(tag, (calls.get(tag) ?? 0) + 1)
    },
    count: async (tag) => calls.get(tag) ?? 0,
  }
}

function acquired(claim: ClaimResult | undefined): Extract<ClaimResult, { kind: 'acquired' }> {
  if (claim?.kind !== 'acquired')
    throw new Error(`Expected the claim to be acquired, got ${JSON.stringify(claim)}`)
  return claim
}
