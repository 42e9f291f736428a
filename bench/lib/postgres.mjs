import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'

/**
 * A schema of its own in PostgreSQL for one bench run (dropped by `drop()`), so concurrent test runs on the
 * same database never see the bench's rows.
 *
 * @example const pg = await createBenchSchema(DEFAULT_POSTGRES_URL); try { ... } finally { await pg.drop() }
 */
export async function createBenchSchema(url) {
  const schema = `awh_bench_${randomBytes(4).toString('hex')}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`CREATE SCHEMA ${schema}`)
  } finally {
    await client.end()
  }
  return {
    url,
    schema,
    async drop() {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await admin.end()
      }
    },
  }
}
