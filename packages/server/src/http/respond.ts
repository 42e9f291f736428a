import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError } from '../errors/server-errors.js'

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

/** The one error shape of every answer: `{ status: "error", code, message }`, status and code from the catalogue. Internal. */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  sendJson(
    req,
    res,
    error.status,
    { status: 'error', code: error.code, message: error.message },
    error.headers,
  )
}

/** Reads a small JSON request body, refusing oversized or malformed ones with a 4xx `HttpError`. Internal. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError('unsupported_media_type', 'Send the body as application/json.')
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength
    if (total > maxBytes) throw new HttpError('body_too_large', `The body is larger than ${maxBytes} bytes.`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (error) {
    throw new HttpError(
      'invalid_json',
      `The body is not valid JSON: ${(error as Error).message.slice(0, 120)}`,
    )
  }
}
