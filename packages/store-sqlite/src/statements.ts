import type { DatabaseSync, StatementSync } from 'node:sqlite'

/** Prepares each distinct SQL text once per connection; the filter combinations of a query are few. Internal. */
export function statementCache(db: DatabaseSync): (sql: string) => StatementSync {
  const cache = new Map<string, StatementSync>()
  return (sql) => {
    const cached = cache.get(sql)
    if (cached) return cached
    const statement = db.prepare(sql)
    cache.set(sql, statement)
    return statement
  }
}
