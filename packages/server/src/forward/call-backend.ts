import type { Logger } from '../logging/logger.js'
import type { AttemptWriter } from './attempt-writer.js'
import type { ForwardConfig, ForwardRoute } from './forward-config.js'
import { type ForwardRequest, forwardHeaders } from './forward-request.js'
import type { ForwardAttempt, ForwardStore } from './forward-store.js'
import { LOGGED_ANSWER_CHARS, textOf } from './relay-answer.js'
import { type Upstream, type UpstreamAnswer, UpstreamFailure } from './upstream.js'

export interface BackendDeps {
  config: ForwardConfig
  upstream: Upstream
  store: ForwardStore
  attempts: AttemptWriter
  now: () => number
  logger: Logger
  /** Counts one call by what the backend gave: its status, or `timeout`, `refused`, `reset`, `too_large`, `failed`. */
  count: (via: ForwardAttempt['via'], result: string) => void
}

export type BackendResult = { answer: UpstreamAnswer } | { failure: UpstreamFailure }

/**
 * One signed call to the backend; `settle` turns the result into the caller's outcome and names the error the
 * attempt is logged with (null when the answer was relayed as is). The attempt is written in the background. Internal.
 */
export async function callBackend<T>(
  deps: BackendDeps,
  route: ForwardRoute,
  request: ForwardRequest,
  via: ForwardAttempt['via'],
  settle: (result: BackendResult) => { value: T; error: string | null },
): Promise<T> {
  const startedAt = deps.now()
  const started = performance.now()
  let result: BackendResult
  try {
    const headers = await forwardHeaders(request, deps.config.secrets[0]!, startedAt)
    const answer = await deps.upstream.post(route.url, request.body, headers, {
      timeoutMs: deps.config.timeoutMs,
      maxBytes: deps.config.maxAnswerBytes,
    })
    result = { answer }
  } catch (error) {
    result = {
      failure: error instanceof UpstreamFailure ? error : new UpstreamFailure('failed', String(error)),
    }
  }
  const durationMs = performance.now() - started
  deps.count(via, 'answer' in result ? String(result.answer.status) : result.failure.kind)
  let settled: { value: T; error: string | null } | undefined
  try {
    settled = settle(result)
    return settled.value
  } catch (error) {
    const code = (error as { code?: unknown }).code
    settled = {
      value: undefined as T,
      error: `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`,
    }
    throw error
  } finally {
    const attempt: ForwardAttempt = {
      deliveryId: request.deliveryId,
      via,
      attempt: request.attempt,
      route: route.pattern,
      url: route.url,
      startedAt,
      durationMs,
      status: 'answer' in result ? result.answer.status : null,
      error: settled?.error ?? ('failure' in result ? result.failure.message : null),
      answer: 'answer' in result ? textOf(result.answer.body).slice(0, LOGGED_ANSWER_CHARS) : null,
    }
    deps.attempts.record(attempt)
  }
}
