// What a durable item.add costs on PostgreSQL, in statements the server sends (each one a round trip): the
// claim, the player read the first time this process meets the player, and the completion with the grant in
// one statement.
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
    .map((text) => text.trim().split(/\s+/).slice(0, 3).join(' '))
}

test('a durable item.add takes three round trips: claim, player read, completion with its grant', async () => {
  const sent = await grantStatementsDuring(async () => {
    expect((await server.send(grant('rt-player', 'gems', 2))).status).toBe(200)
  })
  expect(sent.length).toBe(3)
  expect(sent[0]).toMatch(/^INSERT INTO/)
  expect(sent[1]).toMatch(/^SELECT player_id, name/)
  expect(sent[2]).toMatch(/^WITH completed AS/)
  const inventory = await server.api('/api/players/rt-player')
  expect(inventory.json.inventory).toEqual([{ sku: 'gems', quantity: 2 }])
})

test('a grant to a player this process has seen takes two: claim, completion with its grant', async () => {
  expect((await server.send(grant('rt-player', 'gems', 1))).status).toBe(200)
  const sent = await grantStatementsDuring(async () => {
    expect((await server.send(grant('rt-player', 'gems', 2))).status).toBe(200)
  })
  expect(sent).toHaveLength(2)
  expect(sent[0]).toMatch(/^INSERT INTO/)
  expect(sent[1]).toMatch(/^WITH completed AS/)
  const inventory = await server.api('/api/players/rt-player')
  expect(inventory.json.inventory).toEqual([{ sku: 'gems', quantity: 5 }])
})
