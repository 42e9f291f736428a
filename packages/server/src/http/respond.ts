import type { IncomingMessage, ServerResponse } from 'node:http'

/** Writes a JSON answer (HEAD gets the headers only). Internal. */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(req.method === 'HEAD' ? undefined : text)
}

/** The one error shape of every answer: `{ status: "error", code, message }`. Internal. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(req, res, status, { status: 'error', code, message }, headers)
}

/** A 4xx the admin API answers with; thrown from deep inside a route and turned into JSON at the top. */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** Reads a small JSON request body, refusing oversized or malformed ones with a 4xx `HttpError`. Internal. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.')
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength
    if (total > maxBytes)
      throw new HttpError(413, 'body_too_large', `The body is larger than ${maxBytes} bytes.`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (error) {
    throw new HttpError(
      400,
      'invalid_json',
      `The body is not valid JSON: ${(error as Error).message.slice(0, 120)}`,
    )
  }
}
