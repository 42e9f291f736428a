import type { WebhookAnswer } from '../handler.js'
import type { NodeRequest } from './node-request.js'

/** What the adapters need of a node:http / HTTP/2-compatibility response (Express's and Fastify's raw ones too). */
export interface NodeResponse {
  statusCode: number
  readonly headersSent: boolean
  readonly writableEnded: boolean
  setHeader(name: string, value: string | number | readonly string[]): unknown
  end(chunk: Uint8Array): unknown
}

/** Writes an answer to a node response: status, headers, then the whole body at once. Internal. */
export function writeResponse(req: NodeRequest, res: NodeResponse, answer: WebhookAnswer): void {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = answer.status
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
  if (closesConnection(req)) res.setHeader('connection', 'close')
  const body = Buffer.from(answer.body)
  res.setHeader('content-length', body.byteLength)
  res.end(body)
}

/**
 * After an early answer (413) the rest of the body is discarded, not read: on HTTP/1 the connection cannot
 * be reused until it has all arrived, so it is closed instead. HTTP/2 forbids the header (streams are cheap).
 */
export function closesConnection(req: NodeRequest): boolean {
  return req.httpVersionMajor === 1 && !req.complete && req.method !== 'GET' && req.method !== 'HEAD'
}
