import type { IncomingHttpHeaders } from 'node:http'
import { verify } from 'aghanim-webhooks'
import { type Listening, listen } from './listen.js'

export interface Captured {
  body: Buffer
  headers: IncomingHttpHeaders
  /** Whether the library verifies the request with the secret it was started with. */
  verified: boolean
}

/** Records every request's exact bytes and answers `status` with `answer`. */
export async function startCapture(
  secret: string,
  status = 200,
  answer = '{"status":"ok"}',
): Promise<Listening & { requests: Captured[] }> {
  const requests: Captured[] = []
  const listening = await listen(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const result = await verify(body, req.headers, { secrets: [secret], replayWindow: false })
    requests.push({ body, headers: req.headers, verified: result.ok })
    res.writeHead(status, { 'content-type': 'application/json' }).end(answer)
  })
  return { ...listening, requests }
}
