import { openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { tempDirectory } from './temp-db.js'

const temp = tempDirectory('sqlite-log-indexes')
afterAll(() => temp.remove())

describe('the delivery log indexes', () => {
  const store = openSqliteStore({ path: temp.file() })
  afterAll(() => store.close())
  const plan = (where: string) =>
    store.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM delivery_log WHERE ${where} ORDER BY received_at DESC, id DESC`,
      )
      .all('x')
      .map((row) => String(row.detail))
      .join('\n')

  test.each([
    ['idempotency_key = ?', 'delivery_log_key'],
    ['replay_of = ?', 'delivery_log_replay_of'],
  ])('a lookup by %s still uses the partial index %s', (where, index) => {
    expect(plan(where)).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}\\b`))
  })

  test('a delivery without a key or a replay adds no entry to those indexes: they are partial', () => {
    const partial = store.db
      .prepare('SELECT name FROM pragma_index_list(?) WHERE partial = 1 ORDER BY name')
      .all('delivery_log')
      .map((row) => row.name)
    expect(partial).toEqual(['delivery_log_key', 'delivery_log_replay_of'])
  })
})
