import { completionStatement, openPostgresStore, type PostgresStore } from '@aghanim-webhooks/store-postgres'
import { deliveryInput } from 'aghanim-webhooks/testing'
import { afterAll, describe, expect, test } from 'vitest'
import { collect, spawnFixture } from '../../../test-support/child-process.js'
import { startTcpProxy } from '../../../test-support/tcp-proxy.js'
import { admin, connectionString, dropSchema, uniqueSchema } from './database.js'

const schemas: string[] = []
const stores: PostgresStore[] = []
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
  await Promise.all(schemas.map(dropSchema))
})

/** A store on its own schema (and, through `url`, its own network path). */
async function open(label: string, options: { schema?: string; url?: string; poolSize?: number } = {}) {
  const schema = options.schema ?? uniqueSchema(label)
  if (!schemas.includes(schema)) schemas.push(schema)
  const store = await openPostgresStore({
    connectionString: options.url ?? connectionString,
    schema,
    poolSize: options.poolSize,
  })
  stores.push(store)
  return store
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function acquiredWithin(store: PostgresStore, key: string, ms: number) {
  const started = performance.now()
  for (;;) {
    const claim = await store.claim(key, { leaseMs: 60_000 })
    if (claim.kind === 'acquired') return { claim, afterMs: Math.round(performance.now() - started) }
    if (performance.now() - started > ms) return { claim, afterMs: Math.round(performance.now() - started) }
    await sleep(20)
  }
}

describe('PostgresStore when its database fails', () => {
  test('a session terminated while its client is checked out fails that transaction, not the process', async () => {
    const store = await open('terminated')
    const failed = store.transact(async ({ client }) => {
      const { rows } = await client.query('SELECT pg_backend_pid() AS pid')
      await admin('SELECT pg_terminate_backend($1)', [rows[0].pid])
      // Between statements: pg emits 'error' on the client, which nothing but the store listens to.
      await sleep(200)
      await client.query('SELECT 1')
    })
    await expect(failed).rejects.toThrow()
    expect(await store.transact(async ({ client }) => (await client.query('SELECT 2 AS n')).rows[0].n)).toBe(
      2,
    )
  })

  test('a connection that replaces a terminated one prepares the named statements again', async () => {
    // One connection: whatever ran last ran on the session inspected.
    const store = await open('prepared', { poolSize: 1 })
    await store.migrate('prepared-test', ['CREATE TABLE grants (key text NOT NULL)'])
    const grant = (key: string) =>
      completionStatement(
        `granted AS (INSERT INTO grants (key) SELECT $1 WHERE EXISTS (SELECT 1 FROM completed))`,
        [key],
      )
    const session = async () =>
      (
        await store.pool.query<{ pid: number; prepared: number }>(
          `SELECT pg_backend_pid() AS pid, (SELECT count(*)::int FROM pg_prepared_statements WHERE name LIKE 'awh_%') AS prepared`,
        )
      ).rows[0]!
    const grantAndLog = async (key: string) => {
      const claim = await store.claim(key, { leaseMs: 60_000 })
      if (claim.kind !== 'acquired') throw new Error(claim.kind)
      expect(await store.complete(key, claim.token, { status: 200, body: '{}' }, [grant(key)])).toBe(true)
      await store.deliveries.append(deliveryInput({ id: `d-${key}`, key }))
    }
    await grantAndLog('before-termination')
    const first = await session()
    // The claim, the completion and the delivery log's insert.
    expect(first.prepared).toBe(3)
    await admin('SELECT pg_terminate_backend($1)', [first.pid])
    await sleep(200)
    await grantAndLog('after-termination')
    const second = await session()
    expect(second.pid).not.toBe(first.pid)
    expect(second.prepared).toBe(3)
    const granted = await store.pool.query('SELECT key FROM grants ORDER BY key')
    expect(granted.rows.map((row) => row.key)).toEqual(['after-termination', 'before-termination'])
    expect((await store.deliveries.get('d-after-termination'))?.key).toBe('after-termination')
  })

  test('the claim of a killed process is taken over by the next attempt at once, not after the lease', async () => {
    const store = await open('killed')
    const child = spawnFixture(new URL('./fixtures/claim-and-wait.ts', import.meta.url), [
      connectionString,
      store.schema,
      'order-killed',
    ])
    const exited = collect(child, (line) => {
      if (line === 'acquired') child.kill('SIGKILL')
    })
    const { signal, stderr } = await exited
    expect({ signal, stderr }).toEqual({ signal: 'SIGKILL', stderr: '' })
    const { claim, afterMs } = await acquiredWithin(store, 'order-killed', 5000)
    console.log(`claim of a killed process taken over after ${afterMs} ms`)
    expect(claim).toMatchObject({ kind: 'acquired', attempt: 2 })
  })

  test('the claim of a live instance is not taken over before its lease ends, whoever asks', async () => {
    const first = await open('alive')
    const second = await open('alive', { schema: first.schema })
    expect((await first.claim('order-alive', { leaseMs: 60_000 })).kind).toBe('acquired')
    expect((await second.claim('order-alive', { leaseMs: 60_000 })).kind).toBe('busy')
    expect((await first.claim('order-alive', { leaseMs: 60_000 })).kind).toBe('busy')
  })

  test('a release that fails while the database is away goes through once it is back', async () => {
    const proxy = await startTcpProxy({
      host: '127.0.0.1',
      port: Number(new URL(connectionString).port || 5432),
    })
    const state = async () =>
      (await admin(`SELECT state FROM "${cut.schema}".idempotency_keys WHERE key = 'order-cut'`))[0]?.state
    const cut = await open('release', { url: proxy.url(connectionString) })
    try {
      const claim = await cut.claim('order-cut', { leaseMs: 60_000 })
      if (claim.kind !== 'acquired') throw new Error(claim.kind)
      proxy.reset()
      await expect(cut.release('order-cut', claim.token)).rejects.toThrow()
      await sleep(300)
      expect(await state()).toBe('in_progress')
      proxy.restore()
      const started = performance.now()
      while ((await state()) !== 'released' && performance.now() - started < 5000) await sleep(20)
      console.log(
        `release retried ${Math.round(performance.now() - started)} ms after the connection came back`,
      )
      expect(await state()).toBe('released')
    } finally {
      await proxy.close()
    }
  })
})
