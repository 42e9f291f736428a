import { connect } from 'node:net'

/** One connection's worth of raw traffic: bytes written piece by piece, possibly several pipelined requests. */
export interface RawConnection {
  /** Each piece is one `write`, the next one a turn of the event loop later (so the server sees it split). */
  pieces: Buffer[]
  /** The methods of the requests expected to get an answer, in order (HEAD answers have no body). */
  methods: string[]
  /**
   * `wait`: keep reading until every request is answered or the server closes; `destroy`: the last request
   * is truncated, so cut the connection once it is written (after a short look for an early answer).
   */
  finish: 'wait' | 'destroy'
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export interface RawOutcome {
  responses: RawResponse[]
  /** The server closed before answering every request (it does that after a 400/413 it cannot recover from). */
  closedEarly: boolean
  /** Neither answered nor closed within the deadline. */
  stalled: boolean
  /** A socket error other than a reset after an early close. */
  error: string | undefined
  /** Everything received, for a failure report. */
  received: Buffer
}

/**
 * Writes `connection` to `port` over a raw TCP socket and parses what comes back, leniently: whatever the
 * server sends must still be HTTP/1.1 responses a client can read (a malformed answer is reported as one with
 * status 0).
 */
export function exchange(port: number, connection: RawConnection, deadlineMs = 10_000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true })
    const parser = new ResponseParser(connection.methods)
    let settled = false
    let error: string | undefined
    const received: Buffer[] = []
    const done = (stalled: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      parser.end()
      const closedEarly = !stalled && parser.responses.length < connection.methods.length
      resolve({ responses: parser.responses, closedEarly, stalled, error, received: Buffer.concat(received) })
    }
    const timer = setTimeout(() => done(true), deadlineMs)
    socket.on('data', (chunk) => {
      received.push(chunk)
      parser.feed(chunk)
      if (
        parser.sse ||
        (connection.finish === 'wait' && parser.responses.length >= connection.methods.length)
      )
        done(false)
    })
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      if (cause.code !== 'ECONNRESET' && cause.code !== 'EPIPE') error = `${cause.code}: ${cause.message}`
      done(false)
    })
    socket.on('close', () => done(false))
    socket.on('connect', async () => {
      for (const piece of connection.pieces) {
        if (settled || socket.destroyed) return
        socket.write(piece)
        await new Promise((next) => setImmediate(next))
      }
      if (connection.finish === 'destroy') setTimeout(() => done(false), 2)
      else if (connection.methods.length === 0) socket.end()
    })
  })
}

const CRLF2 = Buffer.from('\r\n\r\n')

/** An incremental HTTP/1.1 response parser: content-length, chunked, or read-until-close bodies. Internal. */
class ResponseParser {
  readonly responses: RawResponse[] = []
  /** A server-sent-events answer never ends; the connection is dropped once its head arrives. */
  sse = false
  #buffer: Buffer = Buffer.alloc(0)
  readonly #methods: string[]

  constructor(methods: string[]) {
    this.#methods = methods
  }

  feed(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    while (this.#parseOne()) {}
  }

  /** The connection closed: a body without a length ends here. */
  end(): void {
    if (this.#buffer.length === 0) return
    const head = this.#head()
    if (head && head.framing === 'close') {
      this.responses.push({
        status: head.status,
        headers: head.headers,
        body: this.#buffer.subarray(head.bodyStart),
      })
    } else if (
      !head &&
      this.#buffer.length > 0 &&
      !/^HTTP\/1\.[01] /.test(this.#buffer.toString('latin1', 0, 9))
    ) {
      this.responses.push({ status: 0, headers: {}, body: this.#buffer })
    }
    this.#buffer = Buffer.alloc(0)
  }

  #head() {
    const end = this.#buffer.indexOf(CRLF2)
    if (end < 0) return undefined
    const lines = this.#buffer.toString('latin1', 0, end).split('\r\n')
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!)
    const status = match ? Number(match[1]) : 0
    const headers: Record<string, string> = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const method = this.#methods[this.responses.length] ?? 'GET'
    let framing: 'none' | 'length' | 'chunked' | 'close' = 'close'
    if (status < 200 || status === 204 || status === 304 || method === 'HEAD') framing = 'none'
    else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) framing = 'chunked'
    else if (headers['content-length'] !== undefined) framing = 'length'
    return { status, headers, bodyStart: end + 4, framing }
  }

  #parseOne(): boolean {
    const head = this.#head()
    if (!head) return false
    if (head.status === 0) {
      this.responses.push({ status: 0, headers: head.headers, body: this.#buffer })
      this.#buffer = Buffer.alloc(0)
      return false
    }
    if ((head.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      this.sse = true
      this.responses.push({ status: head.status, headers: head.headers, body: Buffer.alloc(0) })
      this.#buffer = Buffer.alloc(0)
      return false
    }
    let bodyEnd: number
    let body: Buffer
    if (head.framing === 'none') {
      bodyEnd = head.bodyStart
      body = Buffer.alloc(0)
    } else if (head.framing === 'length') {
      bodyEnd = head.bodyStart + Number(head.headers['content-length'])
      if (this.#buffer.length < bodyEnd) return false
      body = this.#buffer.subarray(head.bodyStart, bodyEnd)
    } else if (head.framing === 'chunked') {
      const parsed = dechunk(this.#buffer, head.bodyStart)
      if (!parsed) return false
      ;({ body, end: bodyEnd } = parsed)
    } else {
      return false // until close
    }
    // 1xx (100 Continue) is an interim answer: the final one for the same request follows.
    if (head.status >= 200) this.responses.push({ status: head.status, headers: head.headers, body })
    // After `connection: close` nothing more is an answer (an error for an unparseable HEAD request carries a
    // body the client cannot know to skip; the close delimits it).
    this.#buffer = /close/i.test(head.headers.connection ?? '')
      ? Buffer.alloc(0)
      : this.#buffer.subarray(bodyEnd)
    return this.#buffer.length > 0
  }
}

function dechunk(buffer: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = []
  let at = start
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(buffer.toString('latin1', at, lineEnd), 16)
    if (size === 0) {
      const trailerEnd = buffer.indexOf(CRLF2, lineEnd)
      return trailerEnd < 0 ? undefined : { body: Buffer.concat(parts), end: trailerEnd + 4 }
    }
    if (buffer.length < lineEnd + 2 + size + 2) return undefined
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}
