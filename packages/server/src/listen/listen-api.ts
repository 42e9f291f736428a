import type { ListenAnswerJson } from '../api/admin-api-types.js'
import { callJson } from '../deliveries/delivery-calls.js'
import { HttpError } from '../errors/server-errors.js'
import { readJson, sendJson } from '../http/respond.js'
import { decodeParam, type RouteCall } from '../http/route-table.js'
import { parseEventFilter } from './event-filter.js'
import type { ListenAnswer, ListenAnswerStore } from './listen-answers.js'
import type { ListenHub, ReportedAnswer } from './listen-hub.js'

export type { ListenAnswerJson }

export interface ListenApiDeps {
  hub: ListenHub
  answers: ListenAnswerStore
  /** Resolves once the answers reported so far are stored (they are written in the background). */
  recorded: () => Promise<void>
  /** The largest local answer accepted, as for a request. */
  maxAnswerBytes: number
}

type ListenCall = RouteCall<ListenApiDeps>

/** With `--listen-mode off`, every path under `/api/listen` answers this, whatever the method. Internal. */
export function listenOff(): HttpError {
  return new HttpError(
    'listen_off',
    'This server does not take listeners: its listen mode is off (--listen-mode / LISTEN_MODE).',
  )
}

/** `GET /api/deliveries/:id/listens` with `--listen-mode off`. Internal. */
export function listensOff(): HttpError {
  return new HttpError('not_found', 'Listen mode is off (LISTEN_MODE=off).')
}

/** `GET /api/deliveries/:id/listens`: the answers laptops gave for a delivery. Internal. */
export async function listensRoute({ req, res, params: [id], deps }: ListenCall): Promise<void> {
  await deps.recorded()
  const answers = await deps.answers.answers(decodeParam(id!))
  sendJson(req, res, 200, { answers: answers.map(answerJson) })
}

/** `GET /api/listen?events=&name=&target=`: a listener's event stream (`aghanim-webhooks listen`). Internal. */
export function listenRoute({ req, res, url, deps }: ListenCall): void {
  let events: string[]
  try {
    events = parseEventFilter(url.searchParams.get('events'))
  } catch (error) {
    throw new HttpError('invalid_query', (error as Error).message)
  }
  deps.hub.attach(req, res, {
    events,
    name: shortText(url.searchParams.get('name'), 100) ?? 'listener',
    target: target(url.searchParams.get('target')),
  })
}

/** `POST /api/listen/answers`: what a listener's local receiver answered, by ticket. Internal. */
export async function listenAnswerRoute({ req, res, deps }: ListenCall): Promise<void> {
  const answer = parseAnswer(await readJson(req, deps.maxAnswerBytes * 2 + 4096), deps.maxAnswerBytes)
  const outcome = deps.hub.answer(answer)
  if (outcome.kind === 'unknown')
    throw new HttpError(
      'unknown_ticket',
      'No delivery waits for this answer: it expired, or the server restarted since it was sent.',
    )
  // A tunnelled delivery's answer says what Aghanim got (the laptop's answer, or a 502 when it is not valid).
  if (outcome.kind === 'relayed') sendJson(req, res, 202, { status: 'ok' })
  else sendJson(req, res, 200, { status: 'ok', ...(outcome.verdict ? { aghanim: outcome.verdict } : {}) })
}

function shortText(value: string | null, max: number): string | undefined {
  const text = value?.trim()
  return text ? text.slice(0, max) : undefined
}

/** The listener's `--forward-to`, shown in the inspector; credentials in it are dropped, never kept. */
function target(value: string | null): string {
  const text = shortText(value, 500)
  if (!text || !URL.canParse(text)) return ''
  const url = new URL(text)
  url.username = ''
  url.password = ''
  return url.href
}

function parseAnswer(body: unknown, maxBytes: number): ReportedAnswer {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const invalid = (message: string) => new HttpError('invalid_answer', message)
  if (typeof input.ticket !== 'string' || input.ticket === '' || input.ticket.length > 100)
    throw invalid('ticket must be the ticket of the delivery event being answered.')
  const status = input.status ?? null
  if (
    status !== null &&
    !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)
  )
    throw invalid('status must be an HTTP status (100 to 599), or null when the local receiver gave none.')
  const text = input.body ?? null
  if (text !== null && (typeof text !== 'string' || Buffer.byteLength(text) > maxBytes))
    throw invalid(`body must be the local answer's text, at most ${maxBytes} bytes.`)
  const duration = input.duration_ms
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)
    throw invalid('duration_ms must be how long the local receiver took, in milliseconds.')
  const error = input.error ?? null
  if (error !== null && typeof error !== 'string') throw invalid('error must be a string or null.')
  if (status === null && error === null) throw invalid('Without a status, say why in error.')
  return {
    ticket: input.ticket,
    status: status as number | null,
    body: text as string | null,
    durationMs: duration,
    error: error === null ? null : (error as string).slice(0, 1000),
  }
}

/** One answer of `GET /api/deliveries/:id/listens`. */
function answerJson(answer: ListenAnswer): ListenAnswerJson {
  return {
    mode: answer.mode,
    listener: answer.listener,
    target: answer.target,
    ...callJson(answer),
  }
}
