import pg from 'pg'

/**
 * The SQL text of every statement the process's pg clients send while `work` runs: with node-pg, each one is a
 * round trip to PostgreSQL.
 */
export async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const { query } = pg.Client.prototype
  const sent: string[] = []
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0]
    sent.push(typeof first === 'string' ? first : String((first as { text?: string })?.text))
    return (query as (...values: unknown[]) => unknown).apply(this, args)
  } as typeof query
  try {
    await work()
  } finally {
    pg.Client.prototype.query = query
  }
  return sent
}
