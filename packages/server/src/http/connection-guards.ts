import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { HttpError } from '../errors/server-errors.js'

/** What Node reports below the request handler, as the JSON error the rest of the server answers with. */
const CLIENT_ERRORS: Record<string, { reason: string; error: HttpError }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    reason: 'Request Timeout',
    error: new HttpError('request_timeout', 'The request did not arrive in time.'),
  },
  HPE_HEADER_OVERFLOW: {
    reason: 'Request Header Fields Too Large',
    error: new HttpError('headers_too_large', 'The request headers are larger than 16 KiB.'),
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    reason: 'Content Too Large',
    error: new HttpError('body_too_large', 'The chunk extensions are too large.'),
  },
}

/**
 * Answers what Node's HTTP parser refuses (malformed HTTP 400, slow client 408, huge headers 431) with the
 * server's JSON error, without ever answering in place of a request that is still being handled. Node's own
 * handler writes its 400 straight onto the socket: when a client pipelines a valid grant and then garbage,
 * the client reads that 400 as the grant's answer although the grant commits. Here the error waits until the
 * connection's earlier answers are written, then the connection closes. A request whose own body is what
 * failed (a slow or malformed body) gets the error as its answer.
 *
 * Also: `Expect: 100-continue` on a pipelined request gets no interim answer, because Node writes it between
 * the final answer's head and body (a pipelining client has sent its body already). Internal.
 *
 * @example guardConnections(createServer(app))
 */
export function guardConnections(server: Server): void {
  // Per connection: the requests whose answers are not finished, and a parser error waiting for them.
  const inFlight = new WeakMap<Socket, Map<IncomingMessage, ServerResponse>>()
  const deferred = new WeakMap<Socket, NodeJS.ErrnoException>()

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket
    const requests = inFlight.get(socket) ?? new Map<IncomingMessage, ServerResponse>()
    inFlight.set(socket, requests)
    requests.set(req, res)
    res.once('close', () => {
      requests.delete(req)
      const error = deferred.get(socket)
      if (requests.size > 0 || !error) return
      deferred.delete(socket)
      writeError(socket, error)
    })
  })

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy()
      return
    }
    const requests = inFlight.get(socket) ?? new Map<IncomingMessage, ServerResponse>()
    for (const [req, res] of requests) {
      // The request still receiving its body is the one that failed (slow or malformed body): it gets the
      // error as its answer, in its turn.
      if (!req.complete && !res.headersSent) return answerWith(req, res, socket, error)
    }
    if (requests.size > 0) deferred.set(socket, error)
    else writeError(socket, error)
  })

  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    // A queued (pipelined) response has no socket yet.
    if (res.socket) res.writeContinue()
    server.emit('request', req, res)
  })
}

function describe(error: NodeJS.ErrnoException) {
  return (
    CLIENT_ERRORS[error.code ?? ''] ?? {
      reason: 'Bad Request',
      error: new HttpError(
        'bad_request',
        `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}).`,
      ),
    }
  )
}

function errorBody(failure: NodeJS.ErrnoException) {
  const { reason, error } = describe(failure)
  const body = JSON.stringify({ status: 'error', code: error.code, message: error.message })
  return { status: error.status, reason, body }
}

function writeError(socket: Socket, error: NodeJS.ErrnoException): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const { status, reason, body } = errorBody(error)
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
  // Flushes, then closes: a client that stops reading cannot keep the socket.
  socket.destroySoon()
}

function answerWith(
  req: IncomingMessage,
  res: ServerResponse,
  socket: Socket,
  error: NodeJS.ErrnoException,
): void {
  const { status, body } = errorBody(error)
  res.shouldKeepAlive = false
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
  res.end(body)
  res.once('finish', () => socket.destroySoon())
  // A finished response detaches its request, which then never ends nor closes: the handler still reading
  // its body would wait forever. Closing it lets the handler finish (incomplete_body) and be collected.
  socket.once('close', () => req.destroy())
}
