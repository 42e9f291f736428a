import { openPostgresStore, type PostgresStore, type PostgresTx } from '@aghanim-webhooks/store-postgres'
import { manualClock } from 'aghanim-webhooks/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { admin, connectionString, dropSchema, uniqueSchema } from './database.js'

const schema = uniqueSchema('store')
const clock = manualClock()
let store: PostgresStore
beforeAll(async () => {
  store = await openPostgresStore({ connectionString, schema, now: clock.now, poolSize: 4 })
  await store.migrate('store-test', ['CREATE TABLE grants (key text NOT NULL)'])
})
afterAll(async () => {
  await store.close()
  await dropSchema(schema)
})

const grants = async (key: string) =>
  (await store.pool.query('SELECT count(*)::int AS n FROM grants WHERE key = $1', [key])).rows[0].n
async function acquire(key: string, leaseMs = 60_000): Promise<string> {
  const claim = await store.claim(key, { leaseMs })
  if (claim.kind !== 'acquired') throw new Error(`expected to acquire ${key}, got ${claim.kind}`)
  return claim.token
}

describe('PostgresStore', () => {
  test('keeps its tables in the schema, and its pool finds them without a prefix', async () => {
    const tables = await admin<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    )
    expect(tables.map((row) => row.table_name)).toEqual([
      'delivery_log',
      'grants',
      'idempotency_keys',
      'schema_migrations',
    ])
    expect(
      (await store.pool.query('SELECT count(*)::int AS n FROM idempotency_keys')).rows[0].n,
    ).toBeGreaterThanOrEqual(0)
  })

  test('a work item that swallows a failed statement makes complete reject, committing nothing', async () => {
    const token = await acquire('swallowed')
    const swallowing = async ({ client }: PostgresTx) => {
      await client.query('INSERT INTO grants (key) VALUES ($1)', ['swallowed'])
      await client.query('SELECT 1 / 0').catch(() => {})
    }
    const error = await store
      .complete('swallowed', token, { status: 200, body: '{}' }, [swallowing])
      .catch((reason: Error) => reason)
    expect(error instanceof Error && error.message).toBe(
      'The transaction was rolled back: a statement in the work failed (and its error was caught).',
    )
    expect(await grants('swallowed')).toBe(0)
    expect((await store.claim('swallowed', { leaseMs: 60_000 })).kind).toBe('busy')
  })

  test('a take-over of an expired lease waits for the completion in flight, then gets its answer', async () => {
    const token = await acquire('in-flight', 1_000)
    let takeOver: ReturnType<PostgresStore['claim']> | undefined
    const slowGrant = async ({ client }: PostgresTx) => {
      await client.query('INSERT INTO grants (key) VALUES ($1)', ['in-flight'])
      clock.advance(2_000)
      takeOver = store.claim('in-flight', { leaseMs: 60_000 })
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    expect(
      await store.complete('in-flight', token, { status: 200, body: '{"first":true}' }, [slowGrant]),
    ).toBe(true)
    const result = await takeOver!
    expect(result.kind === 'completed' && result.answer.body).toBe('{"first":true}')
    expect(await grants('in-flight')).toBe(1)
  })

  test('work runs with the schema on the search_path and synchronous commit on, whatever the pool says', async () => {
    const pool = new pg.Pool({
      connectionString,
      max: 2,
      options: '-c synchronous_commit=off -c search_path=public',
    })
    const borrowed = await openPostgresStore({ pool, schema, now: clock.now })
    try {
      const token = (await borrowed.claim('settings', { leaseMs: 60_000 })) as { token: string }
      const seen: string[] = []
      const inspect = async ({ client }: PostgresTx) => {
        seen.push((await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit)
        await client.query('INSERT INTO grants (key) VALUES ($1)', ['settings'])
      }
      expect(await borrowed.complete('settings', token.token, { status: 200, body: '{}' }, [inspect])).toBe(
        true,
      )
      expect(seen).toEqual(['on'])
      expect(await grants('settings')).toBe(1)
    } finally {
      await borrowed.close()
    }
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1)
    await pool.end()
  })

  test('transact commits work of your own and resolves with its result', async () => {
    const rows = await store.transact(
      async ({ client }) =>
        (await client.query("INSERT INTO grants (key) VALUES ('own') RETURNING key")).rows,
    )
    expect(rows).toEqual([{ key: 'own' }])
    expect(await grants('own')).toBe(1)
  })

  test('pruneKeys forgets settled keys older than the cut-off, never a leased one', async () => {
    const before = clock.now()
    const old = await acquire('prune-old', 10)
    await store.complete('prune-old', old, { status: 200, body: '{}' })
    await acquire('prune-leased', 10)
    clock.advance(1_000)
    const recent = await acquire('prune-recent', 10)
    await store.complete('prune-recent', recent, { status: 200, body: '{}' })
    expect(await store.pruneKeys(before + 500)).toBeGreaterThanOrEqual(1)
    const kinds = await Promise.all(
      ['prune-old', 'prune-recent'].map(async (key) => (await store.claim(key, { leaseMs: 10 })).kind),
    )
    expect(kinds).toEqual(['acquired', 'completed'])
    const leased = await admin<{ state: string }>(
      `SELECT state FROM "${schema}".idempotency_keys WHERE key = 'prune-leased'`,
    )
    expect(leased).toEqual([{ state: 'in_progress' }])
  })
})

describe('openPostgresStore', () => {
  test('rejects a schema name that is not a plain identifier, before connecting', async () => {
    const error = await openPostgresStore({ connectionString, schema: 'x"; DROP TABLE y; --' }).catch(
      (reason: Error) => reason,
    )
    expect(
      error instanceof RangeError && error.message.startsWith('Invalid schema name "x\\"; DROP TABLE y; --"'),
    ).toBe(true)
  })

  test('asks for exactly one of connectionString and pool', async () => {
    const error = await openPostgresStore({}).catch((reason: Error) => reason)
    expect(error instanceof TypeError && error.message).toBe(
      'Pass exactly one of connectionString or pool to openPostgresStore.',
    )
  })

  test('fails, instead of hanging, when the database cannot be reached', async () => {
    const error = await openPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test' }).catch(
      (reason: Error) => reason,
    )
    expect(
      error instanceof Error &&
        /ECONNREFUSED/.test(String((error as { code?: string }).code ?? error.message)),
    ).toBe(true)
  })

  test('claims and releases commit without waiting for the WAL flush; completions wait for it', async () => {
    // A trigger records the synchronous_commit each write of the keys table runs under.
    await admin(`CREATE TABLE "${schema}".commit_modes (op text NOT NULL, mode text NOT NULL)`)
    await admin(`CREATE FUNCTION "${schema}".record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "${schema}".commit_modes VALUES (NEW.state, current_setting('synchronous_commit'));
        RETURN NEW;
      END $$`)
    await admin(`CREATE TRIGGER record_commit_mode AFTER INSERT OR UPDATE ON "${schema}".idempotency_keys
      FOR EACH ROW EXECUTE FUNCTION "${schema}".record_commit_mode()`)
    try {
      await store.complete('modes-1', await acquire('modes-1'), { status: 200, body: '{}' })
      await store.release('modes-2', await acquire('modes-2'))
      const modes = await admin<{ op: string; mode: string }>(`SELECT op, mode FROM "${schema}".commit_modes`)
      expect(modes).toEqual([
        { op: 'in_progress', mode: 'off' },
        { op: 'completed', mode: 'on' },
        { op: 'in_progress', mode: 'off' },
        { op: 'released', mode: 'off' },
      ])
      // Transaction-local: the pooled sessions keep their own setting.
      const session = await store.pool.query('SHOW synchronous_commit')
      expect(session.rows[0].synchronous_commit).toBe('on')
    } finally {
      await admin(`DROP TRIGGER record_commit_mode ON "${schema}".idempotency_keys`)
    }
  })
})
