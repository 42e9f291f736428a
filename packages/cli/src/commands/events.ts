import { catalogue, eventTypes } from 'aghanim-webhooks'
import { helpOption, parseCommand } from '../args.js'
import { type CommandContext, showHelp } from '../command.js'
import { toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'

export const help = `List the event types Aghanim sends, from the library's event catalogue.

Usage: aghanim-webhooks events [--json]

Kinds: decision (Aghanim waits for your answer: player.verify, store.get, player.lookup), fulfilment
(grant or revoke exactly once: item.add, item.remove), notification (everything else).

Options:
  --json       print [{ type, kind, answer, summary, docs }]
  -h, --help   show this help

Examples:
  aghanim-webhooks events
  aghanim-webhooks events --json | jq -r '.[] | select(.kind == "fulfilment") | .type'
`

export async function run(argv: string[], { io, style }: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...helpOption, json: { type: 'boolean' } })
  if (values.help) return showHelp(io, help)
  if (positionals.length > 0) throw new UsageError(`events takes no arguments, got ${positionals.join(' ')}.`)
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
