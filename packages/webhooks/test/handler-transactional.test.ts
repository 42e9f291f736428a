// A handler marked `transactional` runs before its key is claimed; a store with `completeUnclaimed` then
// records the key, the answer and the work in one step. What must still hold: the work commits once, every
// duplicate gets the first answer, and a key that already has a row goes through the claim as before.
import { createRouter, fixtureEvent, MemoryStore, transactional } from 'aghanim-webhooks'
import type { IdempotencyStore } from 'aghanim-webhooks/store'
import { describe, expect, it } from 'vitest'
import { receiverFor } from './support/deliver.js'

const SECRET = 'whsec_transactional_Q7x'

/** A MemoryStore that counts what the receiver asks of it; `unclaimed: false` hides `completeUnclaimed`. */
function countingStore({ unclaimed = true } = {}) {
  const store = new MemoryStore()
  const calls = { claim: 0, complete: 0, completeUnclaimed: 0, release: 0 }
  const counting =
    <A extends unknown[], R>(name: keyof typeof calls, call: (...args: A) => R) =>
    (...args: A): R => {
      calls[name]++
      return call(...args)
    }
  const counted: IdempotencyStore<void> = {
    claim: counting('claim', store.claim.bind(store)),
    complete: counting('complete', store.complete.bind(store)),
    release: counting('release', store.release.bind(store)),
    ...(unclaimed && {
      completeUnclaimed: counting('completeUnclaimed', store.completeUnclaimed.bind(store)),
    }),
  }
  return { store: counted, calls }
}

const { receiver, send } = receiverFor(SECRET)

/** A router whose item.add grant counts each commit of its work, and the attempts it ran as. */
function grantingRouter(mark = transactional) {
  const seen = { granted: 0, attempts: [] as number[] }
  const router = createRouter().on(
    'item.add',
    mark((_event, { attempt, transact }) => {
      seen.attempts.push(attempt)
      transact(() => {
        seen.granted++
      })
    }),
  )
  return { router, seen }
}

describe('handler: a transactional handler', () => {
  it('commits its key and work in one step, without a claim; a duplicate then claims and gets the first answer', async () => {
    const { store, calls } = countingStore()
    const { router, seen } = grantingRouter()
    const handle = receiver(router, { store })
    const event = fixtureEvent('item.add')
    expect(await send(handle, event)).toEqual({ status: 200, body: '{"status":"ok"}', replay: null })
    expect(calls).toEqual({ claim: 0, complete: 0, completeUnclaimed: 1, release: 0 })
    expect(await send(handle, event)).toEqual({ status: 200, body: '{"status":"ok"}', replay: 'true' })
    expect(calls).toMatchObject({ claim: 1, completeUnclaimed: 2 })
    expect(seen.granted).toBe(1)
  })

  it('commits the work once for 50 concurrent duplicates, and all 50 get the same answer', async () => {
    const { store } = countingStore()
    const { router, seen } = grantingRouter()
    const handle = receiver(router, { store })
    const event = fixtureEvent('item.add')
    const answers = await Promise.all(Array.from({ length: 50 }, () => send(handle, event)))
    expect(seen.granted).toBe(1)
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`))).toEqual(new Set(['200 {"status":"ok"}']))
    expect(answers.filter((a) => a.replay === null)).toHaveLength(1)
  })

  it('shares exactly-once with an unmarked receiver of the same store, whichever takes the key first', async () => {
    const { store } = countingStore()
    const marked = grantingRouter()
    const unmarked = grantingRouter((handler) => handler)
    const [a, b] = [receiver(marked.router, { store }), receiver(unmarked.router, { store })]
    const event = fixtureEvent('item.add')
    await Promise.all([send(a, event), send(b, event), send(a, event), send(b, event)])
    expect(marked.seen.granted + unmarked.seen.granted).toBe(1)
  })

  it('runs again on the claim when an earlier attempt left the key released, as that attempt number', async () => {
    const { store } = countingStore()
    const event = fixtureEvent('item.add')
    const failing = receiver(
      createRouter().on('item.add', () => {
        throw new Error('database down')
      }),
      { store },
    )
    expect((await send(failing, event)).status).toBe(500)
    const { router, seen } = grantingRouter()
    expect((await send(receiver(router, { store }), event)).status).toBe(200)
    // First without a claim (the key has a row, so nothing commits), then as the claim's attempt 2.
    expect(seen.attempts).toEqual([1, 2])
    expect(seen.granted).toBe(1)
  })

  it('falls back to the claim when its first run fails: a duplicate of a completed key still gets its answer', async () => {
    const { store } = countingStore()
    let failing = false
    const runs: number[] = []
    const router = createRouter().on(
      'item.add',
      transactional((_event, { attempt, transact }) => {
        runs.push(attempt)
        if (failing) throw new Error('the player table is away')
        transact(() => undefined)
      }),
    )
    const handle = receiver(router, { store })
    const event = fixtureEvent('item.add')
    expect(await send(handle, event)).toEqual({ status: 200, body: '{"status":"ok"}', replay: null })
    failing = true
    expect(await send(handle, event)).toEqual({ status: 200, body: '{"status":"ok"}', replay: 'true' })
    // A new key whose handler fails runs again as the claimed attempt, and that failure is the answer.
    const fresh = fixtureEvent('item.add')
    expect((await send(handle, fresh)).status).toBe(500)
    expect(runs).toEqual([1, 1, 1, 1])
    failing = false
    expect(await send(handle, fresh)).toEqual({ status: 200, body: '{"status":"ok"}', replay: null })
    expect(runs.at(-1)).toBe(2)
  })

  it('answers 503 store_unavailable when the one-step commit fails, and the retry runs', async () => {
    const memory = new MemoryStore()
    let failNext = true
    const store: IdempotencyStore<void> = {
      claim: (key, options) => memory.claim(key, options),
      complete: (key, token, answer, work) => memory.complete(key, token, answer, work),
      release: (key, token) => memory.release(key, token),
      completeUnclaimed(key, answer, work, options) {
        if (failNext) {
          failNext = false
          return Promise.reject(new Error('connection terminated password=hunter2'))
        }
        return memory.completeUnclaimed(key, answer, work, options)
      },
    }
    const { router, seen } = grantingRouter()
    const handle = receiver(router, { store })
    const event = fixtureEvent('item.add')
    const failed = await send(handle, event)
    expect(failed.status).toBe(503)
    expect(JSON.parse(failed.body).code).toBe('store_unavailable')
    expect(failed.body).not.toContain('hunter2')
    expect((await send(handle, event)).status).toBe(200)
    expect(seen.granted).toBe(1)
  })

  it('claims as usual with a store that has no completeUnclaimed', async () => {
    const { store, calls } = countingStore({ unclaimed: false })
    const { router, seen } = grantingRouter()
    expect((await send(receiver(router, { store }), fixtureEvent('item.add'))).status).toBe(200)
    expect(calls).toEqual({ claim: 1, complete: 1, completeUnclaimed: 0, release: 0 })
    expect(seen.granted).toBe(1)
  })

  it('is the only kind of handler that skips the claim: an unmarked one always claims first', async () => {
    const { store, calls } = countingStore()
    const { router } = grantingRouter((handler) => handler)
    expect((await send(receiver(router, { store }), fixtureEvent('item.add'))).status).toBe(200)
    expect(calls).toEqual({ claim: 1, complete: 1, completeUnclaimed: 0, release: 0 })
  })
})
