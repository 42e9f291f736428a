import { request as httpRequest } from 'node:http'
import { signedHeaders } from 'aghanim-webhooks'
import { fixtureEvent } from '../../src/events/fixtures.js'

export const SECRET = 'whsec_adapters_test'

/** Sends `body` signed with `secret`, as Aghanim would. */
export async function deliver(
  url: string,
  body: string,
  init: { secret?: string; headers?: Record<string, string> } = {},
) {
  const timestamp = Math.floor(Date.now() / 1000)
  const signature = await signedHeaders({ secret: init.secret ?? SECRET, timestamp, body })
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Aghanim/0.1.0',
      ...signature,
      ...init.headers,
    },
  })
}

export const itemAdd = () => JSON.stringify(fixtureEvent('item.add'))
export const playerVerify = (playerId: string) =>
  JSON.stringify(fixtureEvent('player.verify', { event_data: { player_id: playerId } }))

/**
 * A raw HTTP/1.1 POST whose body is written in `chunks` (chunked encoding unless `contentLength` is given),
 * so tests can send more than a limit, never finish (`leaveOpen`), or disconnect half-way (`abortWhen`).
 * Resolves with the answer, or the socket error.
 */
export function rawPost(
  url: string,
  options: {
    chunks: Uint8Array[]
    contentLength?: number
    abortWhen?: Promise<unknown>
    leaveOpen?: boolean
  },
): Promise<
  { status: number; body: string; headers: Record<string, string | string[] | undefined> } | { error: Error }
> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength)
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        })
        req.destroy()
      })
      res.on('error', (error) => resolve({ error }))
    })
    req.on('error', (error) => resolve({ error }))
    const [first, ...rest] = options.chunks
    req.write(first)
    if (options.abortWhen) {
      void options.abortWhen.then(() => req.destroy())
      return
    }
    for (const chunk of rest) req.write(chunk)
    if (!options.leaveOpen) req.end()
  })
}
