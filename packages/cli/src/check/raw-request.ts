import http from 'node:http'
import https from 'node:https'
import { parseJson } from '../http/deliver.js'

/**
 * One request with exact control over what goes on the wire: repeated headers (an array value), header bytes
 * outside ASCII (pass them latin1-encoded, one char per byte) and any body bytes. Global fetch normalises
 * or refuses all three, which is why `check` uses node:http.
 */
export interface RawRequest {
  method?: string
  headers: readonly (readonly [string, string | readonly string[]])[]
  body?: Uint8Array
}

/** An answer, a connection closed without one, or no answer within the budget. Never throws. */
export type RawOutcome =
  | { kind: 'answer'; status: number; body: string; json: unknown; ms: number }
  | { kind: 'dropped'; reason: string; ms: number }
  | { kind: 'unreachable'; reason: string; ms: number }
  | { kind: 'timeout'; ms: number; budgetMs: number }

const MAX_ANSWER_BYTES = 1024 * 1024
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

export function rawRequest(url: URL, request: RawRequest, timeoutMs: number): Promise<RawOutcome> {
  const started = performance.now()
  const elapsed = () => performance.now() - started
  return new Promise((resolve) => {
    let settled = false
    const settle = (outcome: RawOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(outcome)
    }
    const client = url.protocol === 'https:' ? https : http
    // A fresh connection per request: one check's dropped connection must not fail the next.
    const req = client.request(url, { method: request.method ?? 'POST', agent: false })
    for (const [name, value] of request.headers) req.setHeader(name, value as string | string[])
    if (request.body) req.setHeader('content-length', String(request.body.byteLength))
    const timer = setTimeout(() => {
      settle({ kind: 'timeout', ms: elapsed(), budgetMs: timeoutMs })
      req.destroy()
    }, timeoutMs)

    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk)
      })
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        settle({ kind: 'answer', status: res.statusCode ?? 0, body, json: parseJson(body), ms: elapsed() })
      })
      // The status line arrived, then the connection died mid-body: the status still counts as the answer.
      res.on('close', () => {
        if (!res.complete)
          settle({ kind: 'answer', status: res.statusCode ?? 0, body: '', json: undefined, ms: elapsed() })
      })
      // Reported through 'close' above; without a listener the error would be thrown.
      res.on('error', () => {})
    })
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Errors after the answer (EPIPE while still uploading a body the server already refused) don't matter.
      const code = error.code ?? ''
      settle({
        kind: UNREACHABLE.has(code) ? 'unreachable' : 'dropped',
        reason: reasonOf(error),
        ms: elapsed(),
      })
    })
    req.end(
      request.body
        ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
        : undefined,
    )
  })
}

function reasonOf(error: NodeJS.ErrnoException): string {
  if (error.message === 'socket hang up') return 'socket hang up'
  return error.code ?? error.message
}
