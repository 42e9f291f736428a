import { once } from 'node:events'
import { connect, createServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { signedHeaders } from 'aghanim-webhooks'
import { aghanimWebhooks, createRouter } from 'aghanim-webhooks/node'
import { expect, it } from 'vitest'
import { itemAdd, SECRET } from './deliver.js'

it('serves HTTP/2 through the compatibility API, pseudo-headers and all', async () => {
  const router = createRouter().on('item.add', () => {})
  const server = createServer(aghanimWebhooks({ secret: SECRET, router }))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  try {
    const body = itemAdd()
    const signature = await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })
    const stream = client.request({
      ':method': 'POST',
      ':path': '/webhook',
      'content-type': 'application/json',
      ...signature,
    })
    stream.end(body)
    const [headers] = (await once(stream, 'response')) as [Record<string, string | number>]
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    expect([headers[':status'], Buffer.concat(chunks).toString()]).toEqual([200, '{"status":"ok"}'])
  } finally {
    client.close()
    server.close()
  }
})
