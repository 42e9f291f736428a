// What a durable item.add costs on PostgreSQL, in statements the server sends (each one a round trip): the
// player read the first time this process meets the player, and one statement that records the key as
// completed together with the grant (the ledger's handler is transactional, so it runs before any claim). A
// duplicate finds the key taken in that statement and then claims as usual, which reports the stored answer.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { statementsDuring } from '../../../test-support/pg-statements.js'
import { dropSchema, POSTGRES_URL, uniqueSchema } from './support/postgres.js'
import { grant, startTestServer, type TestServer } from './support/test-server.js'

const schema = uniqueSchema()
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema })
  expect((await server.api('/api/players/rt-player', { method: 'PUT', body: '{}' })).status).toBe(201)
})
afterAll(async () => {
  await server.close()
  await dropSchema(schema)
})

/** The statements sent while `work` runs, but for the delivery log's, which are written apart and batched. */
async function grantStatementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  return (await statementsDuring(work))
    .filter((text) => !/delivery_log|delivery_stats/.test(text))
    .map((text) => text.trim().split(/\s+/).slice(0, 5).join(' '))
}

test('a durable item.add takes two round trips: player read, then the key and its grant in one statement', async () => {
  const sent = await grantStatementsDuring(async () => {
    expect((await server.send(grant('rt-player', 'gems', 2))).status).toBe(200)
  })
  expect(sent).toHaveLength(2)
  expect(sent[0]).toMatch(/^SELECT player_id, name/)
  expect(sent[1]).toMatch(/^WITH completed AS \( INSERT/)
  const inventory = await server.api('/api/players/rt-player')
  expect(inventory.json.inventory).toEqual([{ sku: 'gems', quantity: 2 }])
})

test('a grant to a player this process has seen takes one round trip: the key and its grant', async () => {
  expect((await server.send(grant('rt-player', 'gems', 1))).status).toBe(200)
  const sent = await grantStatementsDuring(async () => {
    expect((await server.send(grant('rt-player', 'gems', 2))).status).toBe(200)
  })
  expect(sent).toHaveLength(1)
  expect(sent[0]).toMatch(/^WITH completed AS \( INSERT/)
  const inventory = await server.api('/api/players/rt-player')
  expect(inventory.json.inventory).toEqual([{ sku: 'gems', quantity: 5 }])
})

test('a duplicate finds its key taken, grants nothing, and gets the first answer through the claim', async () => {
  const first = grant('rt-player', 'gems', 4)
  const answered = await server.send(first)
  expect(answered.status).toBe(200)
  const sent = await grantStatementsDuring(async () => {
    const again = await server.send(first)
    expect(again.status).toBe(200)
    expect(again.text).toBe(answered.text)
  })
  expect(sent[0]).toMatch(/^WITH completed AS \( INSERT/)
  expect(sent[1]).toMatch(/^INSERT INTO/)
  const inventory = await server.api('/api/players/rt-player')
  expect(inventory.json.inventory).toEqual([{ sku: 'gems', quantity: 9 }])
})
