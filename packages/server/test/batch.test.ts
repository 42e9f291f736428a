import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { grant, startTestServer, type TestServer } from './support/test-server.js'

/** A file server for batch files: path → body; `/slow` never answers; `/moved` redirects. */
async function fileServer(files: Map<string, string>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/slow') return
    if (req.url === '/moved') return res.writeHead(302, { location: '/a.jsonl' }).end()
    const body = files.get(req.url ?? '')
    if (body === undefined) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const batchReady = (url: string) => fixtureEvent('batch.ready', { event_data: { url, expires_at: 1 } })
const jsonl = (...events: unknown[]) => `${events.map((event) => JSON.stringify(event)).join('\n')}\n`

describe('batch.ready', () => {
  const files = new Map<string, string>()
  let files$: { server: Server; base: string }
  let t: TestServer

  beforeAll(async () => {
    files$ = await fileServer(files)
    t = await startTestServer({
      BATCH_ALLOWED_HOSTS: '127.0.0.1',
      BATCH_MAX_BYTES: '20000',
      BATCH_TIMEOUT_MS: '300',
    })
    await t.api('/api/players/p_batch', { method: 'PUT', body: JSON.stringify({ name: 'Batcher' }) })
  })
  afterAll(async () => {
    await t.close()
    files$.server.closeAllConnections()
    files$.server.close()
  })

  test('runs every line through the handler with its own idempotency key and answers 2xx when all committed', async () => {
    const lines = [
      grant('p_batch', 'gems', 2),
      fixtureEvent('order.paid'),
      fixtureEvent('analytics.hub.login'),
    ]
    files.set('/a.jsonl', jsonl(...lines))
    const answer = await t.send(batchReady(`${files$.base}/a.jsonl`))
    expect([answer.status, answer.text]).toEqual([200, '{"status":"ok"}'])
    expect((await t.api('/api/players/p_batch')).json.inventory).toEqual([{ sku: 'gems', quantity: 2 }])
    const logged = await t.api(`/api/deliveries?key=${lines[0]!.idempotency_key}`)
    expect(logged.json.deliveries[0].path).toMatch(/^\/webhook\?batch=whevt_.+&line=1$/)
  })

  test('grants nothing twice when the same lines arrive in another batch', async () => {
    const answer = await t.send(batchReady(`${files$.base}/a.jsonl`))
    expect(answer.status).toBe(200)
    expect((await t.api('/api/players/p_batch')).json.inventory).toEqual([{ sku: 'gems', quantity: 2 }])
  })

  test('answers non-2xx naming the first failed line, keeping the lines that committed', async () => {
    files.set('/b.jsonl', `${JSON.stringify(grant('p_batch', 'gold', 1))}\r\n{"event_type": \n\n`)
    const answer = await t.send(batchReady(`${files$.base}/b.jsonl`))
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual({
      status: 'error',
      code: 'batch_incomplete',
      message: '1 of 2 batch lines were not accepted; line 2 answered 400 invalid_json.',
    })
    expect((await t.api('/api/players/p_batch')).json.inventory).toContainEqual({ sku: 'gold', quantity: 1 })
  })

  test('refuses nested batches', async () => {
    files.set('/nested.jsonl', jsonl(batchReady(`${files$.base}/a.jsonl`)))
    const answer = await t.send(batchReady(`${files$.base}/nested.jsonl`))
    expect(answer.json.message).toContain('answered 400 nested_batch')
  })

  test('refuses files over BATCH_MAX_BYTES', async () => {
    files.set('/big.jsonl', 'x'.repeat(30_000))
    const answer = await t.send(batchReady(`${files$.base}/big.jsonl`))
    expect([answer.status, answer.json.code]).toEqual([400, 'batch_too_large'])
  })

  test('gives up on a slow download after BATCH_TIMEOUT_MS, asking for a retry', async () => {
    const answer = await t.send(batchReady(`${files$.base}/slow`))
    expect([answer.status, answer.json.code]).toEqual([504, 'batch_download_timeout'])
  })

  test('does not follow redirects, nor accept a failed download', async () => {
    expect((await t.send(batchReady(`${files$.base}/moved`))).json.code).toBe('batch_download_failed')
    expect((await t.send(batchReady(`${files$.base}/missing`))).status).toBe(502)
  })

  test('declines hosts outside BATCH_ALLOWED_HOSTS, and batches without a URL', async () => {
    const answer = await t.send(batchReady('https://evil.example.com/a.jsonl'))
    expect(answer.status).toBe(400)
    expect(answer.json).toMatchObject({
      code: 'batch_host_not_allowed',
      message: expect.stringContaining('BATCH_ALLOWED_HOSTS'),
    })
    expect(
      (await t.send(fixtureEvent('batch.ready', { event_data: { url: 'file:///etc/passwd' } }))).json.code,
    ).toBe('invalid_event_data')
  })
})

test('batch.ready is declined by default: no host is allowed until BATCH_ALLOWED_HOSTS names one', async () => {
  const t = await startTestServer()
  try {
    const answer = await t.send(batchReady('http://127.0.0.1:9/a.jsonl'))
    expect([answer.status, answer.json.code]).toEqual([400, 'batch_host_not_allowed'])
  } finally {
    await t.close()
  }
})
