import { helpOption, parseCommand, timestampOption } from '../args.js'
import { type CommandContext, showHelp } from '../command.js'
import { toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'
import { buildEvent, requireEventType } from '../payload/build-event.js'

export const help = `Print the payload \`send\` would use for an event type (fresh ids each time).

Usage: aghanim-webhooks fixtures <event-type> [--player P] [--data FILE|JSON] [--set path=value …]

Takes the same payload options as \`send\`, so you can preview a change before sending it, or save a
fixture to edit and send with \`send --raw\`.

Options:
  --player P            set event_data.player_id
  --data FILE|JSON      event_data (or a whole envelope) to merge over the fixture
  --set path=value      set a string; path:=json sets a JSON value (repeatable)
  --timestamp T         Unix seconds for event_time (default: now)
  --idempotency-key K   set idempotency_key
  -h, --help            show this help

Examples:
  aghanim-webhooks fixtures item.add
  aghanim-webhooks fixtures order.paid --set amount:=199 > order.json
`

export async function run(argv: string[], { io, now }: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    ...helpOption,
    player: { type: 'string' },
    data: { type: 'string' },
    set: { type: 'string', multiple: true },
    timestamp: { type: 'string' },
    'idempotency-key': { type: 'string' },
  })
  if (values.help) return showHelp(io, help)
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
