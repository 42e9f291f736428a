import type { Agent } from 'undici'

/** What the backend answered, read in full (within the size limit). */
export interface UpstreamAnswer {
  status: number
  body: Uint8Array
}

/** Why the backend gave no usable answer: each is retryable, none is the backend's decision. */
export class UpstreamFailure extends Error {
  override readonly name = 'UpstreamFailure'
  constructor(
    readonly kind: 'timeout' | 'refused' | 'reset' | 'too_large' | 'failed',
    message: string,
  ) {
    super(message)
  }
}

export interface Upstream {
  post(
    url: string,
    body: Uint8Array,
    headers: Record<string, string>,
    limits: { timeoutMs: number; maxBytes: number },
  ): Promise<UpstreamAnswer>
  close(): Promise<void>
}

/**
 * The backend's HTTP client: one undici `Agent` (a kept-alive connection pool per origin), a deadline for the
 * whole exchange, and a size limit enforced while the answer streams in. Internal.
 *
 * @example const upstream = createUpstream(); const { status } = await upstream.post(url, body, headers, limits)
 */
export function createUpstream(): Upstream {
  // undici is loaded when forward mode starts, not with the server: a server without it never pays its memory.
  const client = import('undici').then(({ Agent, request }) => ({
    // Idle connections stay open 4 s, under the 5 s keep-alive of Node's and most frameworks' servers, so the
    // pool rarely reuses a socket the backend is closing at that moment.
    agent: new Agent({ keepAliveTimeout: 4_000, connections: 256 }),
    request,
  }))
  // A failed load fails each exchange (a retryable failure), not the process with an unhandled rejection.
  client.catch(() => {})
  return {
    async post(url, body, headers, { timeoutMs, maxBytes }) {
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        return await exchange(await client, url, body, headers, signal, maxBytes)
      } catch (error) {
        // Never re-sent here, not even on a stale keep-alive socket: the backend may have received it, and the
        // released key lets Aghanim's retry (or the outbox) send it again.
        throw error instanceof UpstreamFailure ? error : failureOf(error, signal, timeoutMs)
      }
    },
    close: async () => (await client).agent.close(),
  }
}

/** The pool and undici's `request`, once loaded. */
type Client = { agent: Agent; request: typeof import('undici').request }

async function exchange(
  { agent, request }: Client,
  url: string,
  body: Uint8Array,
  headers: Record<string, string>,
  signal: AbortSignal,
  maxBytes: number,
): Promise<UpstreamAnswer> {
  const response = await request(url, { method: 'POST', body, headers, dispatcher: agent, signal })
  const declared = Number(response.headers['content-length'])
  if (declared > maxBytes) {
    response.body.destroy()
    throw tooLarge(maxBytes)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length
    if (size > maxBytes) {
      response.body.destroy()
      throw tooLarge(maxBytes)
    }
    chunks.push(chunk)
  }
  return { status: response.statusCode, body: Buffer.concat(chunks, size) }
}

function tooLarge(maxBytes: number): UpstreamFailure {
  return new UpstreamFailure('too_large', `The backend's answer is larger than ${maxBytes} bytes.`)
}

function failureOf(error: unknown, signal: AbortSignal, timeoutMs: number): UpstreamFailure {
  if (signal.aborted)
    return new UpstreamFailure('timeout', `The backend did not answer within ${timeoutMs} ms.`)
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code
  if (code === 'ECONNREFUSED') return new UpstreamFailure('refused', 'The backend refused the connection.')
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    return new UpstreamFailure('reset', 'The backend closed the connection before answering.')
  return new UpstreamFailure(
    'failed',
    `The backend could not be reached (${code ?? (error as Error).message}).`,
  )
}
