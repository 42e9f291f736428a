/** What a completion statement runs on outside a completion: the transaction's client. */
interface Queryable {
  client: { query(text: string, values?: unknown[]): Promise<unknown> }
}

/** The SQL of a completion statement: see `completionStatement`. */
export interface CompletionSql {
  ctes: string
  values: readonly unknown[]
}

/** A work item that is SQL alone, which a completion can run inside its own statement. */
export type CompletionStatement = ((tx: Queryable) => Promise<void>) & { readonly sql: CompletionSql }

/**
 * Work for `complete` written as SQL alone: common table expressions (`name AS (statement), …`) whose
 * data-modifying statements act only when the CTE `completed` has a row (write `WHERE EXISTS (SELECT 1 FROM
 * completed)` in each), with placeholders `$1…` of their own. As a completion's only work it runs in the
 * completion's own statement, which marks the key completed in its first CTE: the key and the work commit
 * together in one round trip, and a key no longer held leaves everything unchanged. Anywhere else (beside
 * other work, or in `transact`) it runs as one statement in the transaction, with `completed` always one row.
 * Unqualified table names resolve through the connection's search_path: the store's own pool's is its schema.
 *
 * @example transact(completionStatement(`added AS (INSERT INTO grants (sku) SELECT $1 WHERE EXISTS (SELECT 1 FROM completed))`, ['gems']))
 */
export function completionStatement(ctes: string, values: readonly unknown[]): CompletionStatement {
  const work = async ({ client }: Queryable) => {
    await client.query(`WITH completed AS (SELECT 1), ${ctes} SELECT 1`, [...values])
  }
  return Object.assign(work, { sql: { ctes, values } })
}

export function isCompletionStatement(work: unknown): work is CompletionStatement {
  return typeof work === 'function' && typeof (work as Partial<CompletionStatement>).sql?.ctes === 'string'
}

/** The statement's own placeholders moved past the `offset` the completion's own values take. */
export function shiftPlaceholders(sql: string, offset: number): string {
  return sql.replace(/\$(\d+)/g, (_, number: string) => `$${Number(number) + offset}`)
}
