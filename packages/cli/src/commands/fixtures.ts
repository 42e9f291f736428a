import { timestampOption } from '../args.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'
import { buildEvent, requireEventType } from '../payload/build-event.js'
import { valueOption } from '../shared-options.js'

const options = {
  player: valueOption('P', 'set event_data.player_id'),
  data: valueOption('FILE|JSON', 'event_data (or a whole envelope) to merge over the fixture'),
  set: {
    type: 'string',
    value: 'path=value',
    repeatable: true,
    description: 'set a string; path:=json sets a JSON value (repeatable)',
  },
  timestamp: valueOption('T', 'Unix seconds for event_time (default: now)'),
  'idempotency-key': valueOption('K', 'set idempotency_key'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: 'Print the payload `send` would use for an event type (fresh ids each time).',
  usage: 'aghanim-webhooks fixtures <event-type> [--player P] [--data FILE|JSON] [--set path=value …]',
  about: `Takes the same payload options as \`send\`, so you can preview a change before sending it, or save a
fixture to edit and send with \`send --raw\`.`,
  options,
  optionColumn: 24,
  examples: [
    'aghanim-webhooks fixtures item.add',
    'aghanim-webhooks fixtures order.paid --set amount:=199 > order.json',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, now }: CommandContext): Promise<number> {
  if (positionals.length > 1)
    throw new UsageError(`fixtures takes one event type, got ${positionals.join(' ')}.`)
  const type = requireEventType(positionals[0])
  const eventTime = Number(timestampOption(values.timestamp, now))
  const event = await buildEvent(
    type,
    {
      data: values.data,
      set: values.set,
      player: values.player,
      eventTime,
      idempotencyKey: values['idempotency-key'],
    },
    io,
  )
  io.stdout.write(toJson(event))
  return exitCodes.ok
}
