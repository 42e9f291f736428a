import type { Readable } from 'node:stream'
import { errorAnswer, type WebhookAnswer } from '../../answer.js'
import type { AghanimWebhookError } from '../../errors.js'
import type { DirectBody, IncomingRequest } from '../../request.js'
import { rawBodyConsumed } from '../misconfiguration.js'
import { capturedBody, findRawBody, readNodeBody } from './body.js'
import { type NodeRequest, toIncomingRequest } from './request.js'

export interface NodeAnswerInput {
  handle: (request: IncomingRequest, body?: DirectBody) => Promise<WebhookAnswer>
  /** Where a framework may have put the body already (`req.body`, `req.rawBody`). */
  captured: { rawBody?: unknown; body?: unknown }
  /** The body stream: the request itself, or what a framework's pre-parsing hook made of it. */
  stream: Readable
  /** How to fix a body read too early, in this framework's words. */
  fix: string
  report: (error: AghanimWebhookError) => void
}

/** Answers a node request through the core handler, guarding the raw body first. Internal to the Node adapters. */
export function answerNodeRequest(
  req: NodeRequest,
  input: NodeAnswerInput,
): WebhookAnswer | Promise<WebhookAnswer> {
  // Only a POST carries a body worth guarding; any other method gets the handler's 405.
  const found = req.method === 'POST' ? findRawBody(input.captured, input.stream) : undefined
  if (found && 'consumed' in found) {
    const error = rawBodyConsumed(found.consumed, input.fix)
    input.report(error)
    return errorAnswer(error)
  }
  const request = toIncomingRequest(req)
  // Read only when the handler asks (after the method and declared-length checks), straight from the socket.
  const body: DirectBody | undefined = found
    ? (maxBytes) =>
        'bytes' in found ? capturedBody(found.bytes, maxBytes) : readNodeBody(found.stream, maxBytes)
    : undefined
  // Not an async function: the handler's promise itself, one microtask turn sooner. Callers await it.
  return input.handle(request, body)
}
