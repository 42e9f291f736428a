import { describeServerEndToEnd } from './support/e2e-suite.js'
import { dropSchema, POSTGRES_URL, uniqueSchema } from './support/postgres.js'

describeServerEndToEnd('PostgreSQL', async () => {
  const schema = uniqueSchema()
  return { env: { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }, cleanup: () => dropSchema(schema) }
})
