import { type EventType, eventTypes, fixtureEvent, isEventType } from 'aghanim-webhooks'
import { type CliIo, UsageError } from '../io.js'
import { readInput } from '../read-input.js'
import { mergeInto } from './merge.js'
import { applyAssignment, parseAssignment } from './set-path.js'
import { closest } from './suggest.js'

/** How `send` and `fixtures` shape the event: all optional on top of the catalogue's fixture. */
export interface EventInput {
  /** `--data`: event_data (or a whole envelope, if it has an `event_data` key) as JSON text or a file. */
  data?: string
  /** `--set` assignments, applied last. */
  set?: readonly string[]
  player?: string
  /** Unix seconds for `event_time`. */
  eventTime?: number
  idempotencyKey?: string
}

/** The event type, or a usage error that suggests the closest known one. */
export function requireEventType(value: string | undefined): EventType {
  if (!value)
    throw new UsageError('Name an event type, e.g. item.add (list them with `aghanim-webhooks events`).')
  if (isEventType(value)) return value
  const guess = closest(value, eventTypes)
  const hint = guess ? ` Did you mean ${guess}?` : ' List them with `aghanim-webhooks events`.'
  throw new UsageError(`Unknown event type ${JSON.stringify(value)}.${hint}`)
}

/**
 * A realistic delivery of `type`: the catalogue's fixture with fresh ids, then `--player`, `--data`, `--set`
 * and `--idempotency-key` in that order. Returns a plain JSON object (it may deliberately break the schema).
 *
 * @example await buildEvent('item.add', { set: ['items[0].quantity:=5'] }, io)
 */
export async function buildEvent(
  type: EventType,
  input: EventInput,
  io: CliIo,
): Promise<Record<string, unknown>> {
  const now = io.now ?? Date.now
  const event = fixtureEvent(
    type,
    {},
    { now: () => (input.eventTime !== undefined ? input.eventTime * 1000 : now()) },
  ) as Record<string, unknown>
  const data = event.event_data as Record<string, unknown>
  if (input.player !== undefined && 'player_id' in data) data.player_id = input.player
  if (input.data !== undefined) mergeInto(event, sameType(type, await readData(input.data, io)))
  for (const text of input.set ?? []) applyAssignment(event, parseAssignment(text))
  if (input.idempotencyKey !== undefined) event.idempotency_key = input.idempotencyKey
  return event
}

// A saved envelope of another type would silently send that type under the name typed on the command line.
function sameType(type: EventType, envelope: Record<string, unknown>): Record<string, unknown> {
  if (envelope.event_type === undefined || envelope.event_type === type) return envelope
  throw new UsageError(
    `--data holds a ${JSON.stringify(envelope.event_type)} event, but the command names ${type}: name the same type, or use --set event_type=… to send a mismatched one on purpose.`,
  )
}

async function readData(source: string, io: CliIo): Promise<Record<string, unknown>> {
  const inline = source.trimStart().startsWith('{')
  const text = inline ? source : new TextDecoder().decode(await readInput(source, io))
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const where = inline ? 'the --data JSON' : source
    throw new UsageError(`Cannot parse ${where}: ${(error as Error).message}.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      '--data must be a JSON object: event_data, or a whole envelope with an event_data key.',
    )
  }
  const object = value as Record<string, unknown>
  return 'event_data' in object ? object : { event_data: object }
}
