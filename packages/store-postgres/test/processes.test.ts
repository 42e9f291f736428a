import { openPostgresStore } from '@aghanim-webhooks/store-postgres'
import { afterAll, describe, expect, test } from 'vitest'
import { collect, spawnFixture } from '../../../test-support/child-process.js'
import { runCopyDeliverers } from '../../../test-support/store-processes.js'
import { admin, connectionString, dropSchema, uniqueSchema } from './database.js'

const schemas: string[] = []
afterAll(() => Promise.all(schemas.map(dropSchema)))

async function prepare(label: string, table: string): Promise<string> {
  const schema = uniqueSchema(label)
  schemas.push(schema)
  const store = await openPostgresStore({ connectionString, schema })
  await store.migrate('process-test', [table])
  await store.close()
  return schema
}

describe('PostgresStore across processes', () => {
  test('200 duplicates of one key from 3 processes: the handler runs once and all get its answer', async () => {
    const schema = await prepare(
      'duplicates',
      'CREATE TABLE handler_runs (key text NOT NULL, winner text NOT NULL)',
    )
    const { answers, exits } = await runCopyDeliverers(
      new URL('./fixtures/deliver-duplicates.ts', import.meta.url),
      (copies, name) => [connectionString, schema, 'order-42', String(copies), name],
    )
    expect(exits).toEqual(Array(3).fill({ code: 0, stderr: '' }))

    const runs = await admin<{ winner: string }>(
      `SELECT winner FROM "${schema}".handler_runs WHERE key = $1`,
      ['order-42'],
    )
    expect(runs.length).toBe(1)
    expect(answers.length).toBe(200)
    expect(new Set(answers)).toEqual(new Set([runs[0]?.winner]))
  })

  test('every key acknowledged before kill -9 is completed with its grant exactly once', async () => {
    const schema = await prepare('kill', 'CREATE TABLE grants (key text NOT NULL, sku text NOT NULL)')
    const child = spawnFixture(new URL('./fixtures/ack-until-killed.ts', import.meta.url), [
      connectionString,
      schema,
    ])
    const acked: string[] = []
    const { signal, stderr } = await collect(child, (line) => {
      if (!line.startsWith('ack ')) return
      acked.push(line.slice(4))
      if (acked.length === 300) child.kill('SIGKILL')
    })
    expect(stderr).toBe('')
    expect(signal).toBe('SIGKILL')
    expect(acked.length).toBeGreaterThanOrEqual(300)

    // One statement, one snapshot: the killed process's last COMMIT may still land between two reads.
    const rows = await admin<{ key: string; completed: boolean; n: number }>(
      `SELECT coalesce(k.key, g.key) AS key, coalesce(k.state = 'completed', false) AS completed,
         coalesce(g.n, 0)::int AS n
       FROM "${schema}".idempotency_keys AS k
       FULL JOIN (SELECT key, count(*) AS n FROM "${schema}".grants GROUP BY key) AS g ON g.key = k.key`,
    )
    const completed = new Set(rows.filter((row) => row.completed).map((row) => row.key))
    const grants = new Map(rows.filter((row) => row.n > 0).map((row) => [row.key, row.n]))
    expect(acked.filter((key) => !completed.has(key))).toEqual([])
    expect(acked.filter((key) => grants.get(key) !== 1)).toEqual([])
    // Atomicity the other way round: no grant committed without its completion, and none twice.
    expect([...grants].filter(([key, count]) => count !== 1 || !completed.has(key))).toEqual([])
    expect(grants.size).toBe(completed.size)
  })
})
