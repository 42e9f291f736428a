import { catalogue, eventsJsonSchemaText, eventTypes } from 'aghanim-webhooks'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'
import { jsonOption } from '../shared-options.js'

const options = {
  json: jsonOption('print [{ type, kind, answer, summary, docs }]'),
  'json-schema':
    jsonOption(`print the catalogue as one JSON Schema (draft 2020-12): a $defs entry per event type's
envelope and a oneOf over them; the same document as aghanim-webhooks/schema.json.
Feed it to a code generator for C#, Go, Java, Python (docs/json-schema.md)`),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: "List the event types Aghanim sends, from the library's event catalogue.",
  usage: 'aghanim-webhooks events [--json | --json-schema]',
  about: `Kinds: decision (Aghanim waits for your answer: player.verify, store.get, player.lookup), fulfilment
(grant or revoke exactly once: item.add, item.remove), notification (everything else).`,
  options,
  optionColumn: 18,
  examples: [
    'aghanim-webhooks events',
    `aghanim-webhooks events --json | jq -r '.[] | select(.kind == "fulfilment") | .type'`,
    'aghanim-webhooks events --json-schema > aghanim-events.schema.json',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style }: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`events takes no arguments, got ${positionals.join(' ')}.`)
  if (values['json-schema']) {
    if (values.json) throw new UsageError('events takes --json or --json-schema, not both.')
    io.stdout.write(eventsJsonSchemaText())
    return exitCodes.ok
  }
  const rows = eventTypes.map((type) => {
    const { kind, answer, summary, docs } = catalogue[type]
    return { type, kind, answer, summary, docs }
  })
  if (values.json) {
    io.stdout.write(toJson(rows))
    return exitCodes.ok
  }
  const typeWidth = Math.max(...rows.map((row) => row.type.length))
  const kindWidth = Math.max(...rows.map((row) => row.kind.length))
  for (const row of rows) {
    io.stdout.write(
      `${style.cyan(row.type.padEnd(typeWidth))}  ${style.dim(row.kind.padEnd(kindWidth))}  ${row.summary}\n`,
    )
  }
  return exitCodes.ok
}
