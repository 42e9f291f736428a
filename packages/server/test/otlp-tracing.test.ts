import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signedHeaders, spanNames } from 'aghanim-webhooks'
import { afterAll, describe, expect, test } from 'vitest'
import { killAllServe, spawnServe } from './support/serve-process.js'
import { grant, SECRET } from './support/test-server.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-otlp-'))
afterAll(() => {
  killAllServe()
  rmSync(dir, { recursive: true, force: true })
})

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: { key: string; value: OtlpValue }[]
  status?: { code?: number; message?: string }
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] }
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[]
  }[]
}

/** A minimal OTLP/HTTP collector: records every export request as it arrived. */
async function startCollector() {
  const requests: { method: string; path: string; contentType: string; body: string }[] = []
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    requests.push({
      method: req.method!,
      path: req.url!,
      contentType: req.headers['content-type'] ?? '',
      body,
    })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, requests, close: () => server.close() }
}

function decoded(value: OtlpValue): unknown {
  if (value.intValue !== undefined) return Number(value.intValue)
  return value.stringValue ?? value.boolValue ?? value.doubleValue
}

const attributesOf = (list: { key: string; value: OtlpValue }[]) =>
  Object.fromEntries(list.map(({ key, value }) => [key, decoded(value)]))

async function post(url: string, body: string, secret = SECRET) {
  const headers = await signedHeaders({ secret, timestamp: Math.floor(Date.now() / 1000), body })
  const response = await fetch(`${url}/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })
  return { status: response.status, signature: headers['x-aghanim-signature'] }
}

describe('the server exports OpenTelemetry traces as OTLP/HTTP', () => {
  test('a span per delivery with its steps reaches the collector named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const collector = await startCollector()
    const serve = spawnServe(['--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      env: {
        AGHANIM_WEBHOOK_SECRET: SECRET,
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'studio-webhooks',
      },
    })
    const url = await serve.ready
    const event = grant('testplayer', 'crystals', 1)
    event.event_data.reason = 'BODY-MARKER-4412'
    const body = JSON.stringify(event)
    const first = await post(url, body)
    expect(first.status).toBe(200)
    expect((await post(url, body)).status).toBe(200) // a duplicate
    expect((await post(url, body, 'whsec_forged')).status).toBe(403)
    // Shutting down exports what the batch still holds.
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    collector.close()

    expect(collector.requests.length).toBeGreaterThan(0)
    for (const request of collector.requests) {
      expect([request.method, request.path, request.contentType]).toEqual([
        'POST',
        '/v1/traces',
        'application/json',
      ])
      for (const secret of [SECRET, first.signature, 'BODY-MARKER-4412'])
        expect(request.body).not.toContain(secret)
    }
    const exports = collector.requests.map((request) => JSON.parse(request.body) as OtlpExport)
    const resources = exports.flatMap((entry) => entry.resourceSpans)
    expect(attributesOf(resources[0]!.resource.attributes)).toMatchObject({
      'service.name': 'studio-webhooks',
    })
    const spans = resources.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
    const deliveries = spans.filter((span) => span.name === spanNames.delivery)
    const stepsOf = (delivery: OtlpSpan) =>
      spans
        .filter((span) => span.parentSpanId === delivery.spanId && span.traceId === delivery.traceId)
        .map((span) => span.name)
        .sort()
    const summary = deliveries.map((delivery) => {
      const attributes = attributesOf(delivery.attributes)
      return [attributes['http.response.status_code'], attributes['aghanim.duplicate'], stepsOf(delivery)]
    })
    expect(summary).toEqual([
      [200, false, [spanNames.claim, spanNames.commit, spanNames.handler, spanNames.verify]],
      [200, true, [spanNames.claim, spanNames.verify]],
      [403, false, [spanNames.verify]],
    ])
    expect(attributesOf(deliveries[0]!.attributes)).toMatchObject({
      'aghanim.event_type': 'item.add',
      'aghanim.event_id': event.event_id,
      'aghanim.outcome': 'ok',
    })
    expect(deliveries[0]!.kind).toBe(2) // SPAN_KIND_SERVER in OTLP's numbering
  }, 60_000)

  test('a collector that is down costs no delivery and does not stop the server from shutting down', async () => {
    const gone = await startCollector()
    gone.close() // nothing listens there any more
    const serve = spawnServe(['--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      env: { AGHANIM_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: gone.url },
    })
    const url = await serve.ready
    for (let index = 0; index < 3; index++)
      expect((await post(url, JSON.stringify(grant('testplayer', 'crystals', 1)))).status).toBe(200)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    expect(serve.stdout() + serve.stderr()).not.toContain(SECRET)
  }, 60_000)
})
