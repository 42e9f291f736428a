import type { WebhookAnswer } from '../../answer.js'
import type { NodeRequest } from './request.js'

/** What the adapters need of a node:http / HTTP/2-compatibility response (Express's and Fastify's raw ones too). */
export interface NodeResponse {
  statusCode: number
  readonly headersSent: boolean
  readonly writableEnded: boolean
  setHeader(name: string, value: string | number | readonly string[]): unknown
  end(chunk: string | Uint8Array): unknown
}

/** Writes an answer to a node response: status, headers, then the whole body at once. Internal. */
export function writeResponse(req: NodeRequest, res: NodeResponse, answer: WebhookAnswer): void {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = answer.status
  for (const name in answer.headers) res.setHeader(name, answer.headers[name]!)
  if (closesConnection(req)) {
    res.setHeader('connection', 'close')
    lingerBeforeClosing(req)
  }
  res.setHeader('content-length', Buffer.byteLength(answer.body))
  // A string, not a Buffer: node:http then sends the head and a small body in one write.
  res.end(answer.body)
}

/**
 * After an early answer (413) the rest of the body is discarded, not read: on HTTP/1 the connection cannot
 * be reused until it has all arrived, so it is closed instead. HTTP/2 forbids the header (streams are cheap).
 */
export function closesConnection(req: NodeRequest): boolean {
  return req.httpVersionMajor === 1 && !req.complete && req.method !== 'GET' && req.method !== 'HEAD'
}

/** How long a connection closed after an early answer waits before it is torn down. */
const LINGER_MS = 2000

/**
 * Lingers before a `connection: close` teardown. Closing a socket while the client is still sending makes the
 * kernel send a reset, which can destroy the 413 before the client has read it (seen as a flaky "no answer"
 * under an endless upload). So, as nginx's lingering close does: stop reading, send our FIN after the answer,
 * and tear the socket down only `LINGER_MS` later. Node calls `destroySoon` once the answer is flushed; it is
 * replaced on this socket only.
 */
export function lingerBeforeClosing(req: NodeRequest): void {
  const socket = req.socket as (typeof req.socket & { destroySoon?: () => void }) | undefined
  if (typeof socket?.destroySoon !== 'function') return
  socket.destroySoon = () => {
    socket.pause()
    socket.end()
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }
}
