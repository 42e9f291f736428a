import type { Answer } from '../answer.js'
import { AghanimWebhookError } from '../errors.js'
import type { EventType } from '../events/index.js'
import { answerKindOf, validateAnswer } from '../events/index.js'
import { Reply } from './reply.js'

const OK_BODY = '{"status":"ok"}'

/**
 * Turns what a handler returned into the HTTP answer Aghanim expects for that event (docs/aghanim.md, "The answer"):
 * the player object for player.verify (validated first), `{ items }` for store.get, the 200 status bodies of
 * player.lookup / player.update, and `{"status":"ok"}` for everything else. Internal.
 */
export function toAnswer(eventType: EventType, result: unknown): RoutedAnswer {
  if (result instanceof Reply)
    return { status: result.status, body: JSON.stringify(result.body), final: result.final }
  if (answerKindOf(eventType) === 'ack') return { status: 200, body: OK_BODY, final: true }
  const checked = validateAnswer(eventType, result)
  if (!checked.ok) {
    throw new AghanimWebhookError(
      'invalid_answer',
      `The ${eventType} handler's answer is invalid: ${checked.message}`,
    )
  }
  return { status: 200, body: JSON.stringify(checked.value), final: true }
}

/** A handler's answer, and whether it is final: stored for duplicates (successes, declines) or not (failures). */
export interface RoutedAnswer extends Answer {
  final: boolean
}
