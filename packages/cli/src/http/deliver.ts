import { signedHeaders } from 'aghanim-webhooks'
import type { CliIo } from '../io.js'

/** The user agent of CLI deliveries: Aghanim's, plus who really sent it (visible in the receiver's logs). */
export const USER_AGENT = 'Aghanim/0.1.0 (aghanim-webhooks-cli)'

export interface DeliveryRequest {
  url: URL
  secret: string
  body: Uint8Array
  /** The literal timestamp header value that is signed. */
  timestamp: string
  timeoutMs: number
}

/** What the endpoint answered. `json` is the parsed body when it is JSON. */
export interface DeliveryAnswer {
  status: number
  statusText: string
  body: string
  json: unknown
  ms: number
}

/** The request never got an answer: connection refused, reset, DNS, TLS or the timeout. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
}

/** Signs the exact bytes with the headers Aghanim sends and POSTs them; one delivery, no retries. */
export async function deliver(request: DeliveryRequest, io: CliIo): Promise<DeliveryAnswer> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...(await signedHeaders({ secret: request.secret, timestamp: request.timestamp, body: request.body })),
  }
  const started = performance.now()
  let response: Response
  let body: string
  try {
    response = await (io.fetch ?? fetch)(request.url, {
      method: 'POST',
      headers,
      body: new Uint8Array(request.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    })
    body = await response.text()
  } catch (error) {
    throw new DeliveryError(describeFailure(error, request))
  }
  return {
    status: response.status,
    statusText: response.statusText,
    body,
    json: parseJson(body),
    ms: performance.now() - started,
  }
}

function describeFailure(error: unknown, request: DeliveryRequest): string {
  const name = (error as Error).name
  if (name === 'TimeoutError' || name === 'AbortError')
    return `no answer from ${request.url.origin} within ${request.timeoutMs} ms`
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const reason = cause?.code ?? cause?.message ?? (error as Error).message
  return `could not reach ${request.url.origin} (${reason})`
}

export function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
