import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { toJson } from '../format.js'
import { adminCallOf, postAdmin } from '../http/admin-call.js'
import { exitCodes, UsageError } from '../io.js'
import { adminCallOptions, valueOption } from '../shared-options.js'

const options = {
  type: valueOption('T', 'only dead letters of this event type (order.paid)'),
  player: valueOption('P', "only this player's"),
  since: valueOption('ISO', 'received at or after this time (2026-12-02T10:00:00Z)'),
  until: valueOption('ISO', 'received before this time'),
  all: { type: 'boolean', description: 'every dead letter (needed when nothing else is named)' },
  ...adminCallOptions('redriven'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: "Put forward mode's dead letters back in the outbox, so the server delivers them again.",
  usage: `aghanim-webhooks redrive [<delivery-id>…] [--type T] [--player P] [--since ISO] [--until ISO] [--all]
                               [--server URL] [--token T] [--json]`,
  about: `Calls POST <server>/api/outbox/redrive. Name delivery ids (the inspector's Outbox tab lists them), narrow by
event type, player and time received, or pass --all for every dead letter; filters combine. Each redriven
entry starts over with attempt 1 and the retry schedule. Exit code 0 when the server answered, 1 otherwise.`,
  options,
  optionColumn: 18,
  examples: [
    'aghanim-webhooks redrive --all',
    'aghanim-webhooks redrive --type order.paid --since 2026-12-02T09:00:00Z --server https://hooks.example.com',
    'aghanim-webhooks redrive 00lx2k9d0-4f1k2m9zq0ab',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style }: CommandContext): Promise<number> {
  const body: Record<string, unknown> = {}
  if (positionals.length > 0) body.delivery_ids = positionals
  if (values.type) body.event_type = values.type
  if (values.player) body.player_id = values.player
  for (const name of ['since', 'until'] as const) {
    const value = values[name]
    if (value === undefined) continue
    if (!Number.isFinite(Date.parse(value)))
      throw new UsageError(
        `--${name} must be an ISO time such as 2026-12-02T10:00:00Z, got ${JSON.stringify(value)}.`,
      )
    body[name] = value
  }
  if (values.all) body.all_dead = true
  if (Object.keys(body).length === 0)
    throw new UsageError('Name what to redrive: delivery ids, --type, --player, --since/--until, or --all.')
  const answer = await postAdmin(io, style, {
    ...adminCallOf(values),
    path: 'outbox/redrive',
    body,
  })
  if (!answer) return exitCodes.failed
  const redriven = (answer.json as { redriven?: unknown } | undefined)?.redriven
  if (typeof redriven !== 'number') {
    io.stderr.write(
      `${style.red('error:')} the server's answer has no { redriven }: ${answer.text.slice(0, 200)}\n`,
    )
    return exitCodes.failed
  }
  if (values.json) io.stdout.write(toJson(answer.json))
  else
    io.stdout.write(
      `redrove ${redriven} dead letter${redriven === 1 ? '' : 's'}: the server delivers them again\n`,
    )
  return exitCodes.ok
}
