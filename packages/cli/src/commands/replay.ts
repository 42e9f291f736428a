import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { formatMs, formatStatus, toJson } from '../format.js'
import { adminCallOf, postAdmin } from '../http/admin-call.js'
import { exitCodes, UsageError } from '../io.js'
import { adminCallOptions } from '../shared-options.js'

interface ReplayedDelivery {
  id?: unknown
  status?: unknown
  outcome?: unknown
  duration_ms?: unknown
  duplicate?: unknown
  replay_of?: unknown
  response_body?: unknown
}

const options = {
  ...adminCallOptions('delivery'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: "Replay a recorded delivery through the server's admin API, and show the new answer.",
  usage: 'aghanim-webhooks replay <delivery-id> [--server URL] [--token T] [--json]',
  about: `Calls POST <server>/api/deliveries/<delivery-id>/replay: the server runs the recorded request through its
receiver again (a duplicate is answered from the idempotency record, exactly as a retry would be).
Exit code 0 when the replayed delivery answered 2xx, 1 otherwise.`,
  options,
  optionColumn: 18,
  examples: [
    'aghanim-webhooks replay dlv_01J9ZK',
    'aghanim-webhooks replay dlv_01J9ZK --server https://hooks.example.com --token $ADMIN_TOKEN --json',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style }: CommandContext): Promise<number> {
  const id = positionals[0]
  if (positionals.length !== 1 || !id)
    throw new UsageError('Name one delivery id (the inspector and GET /api/deliveries show them).')
  const answer = await postAdmin(io, style, {
    ...adminCallOf(values),
    path: `deliveries/${encodeURIComponent(id)}/replay`,
  })
  if (!answer) return exitCodes.failed
  const { json, text } = answer
  const delivery = (json as { delivery?: ReplayedDelivery } | undefined)?.delivery
  if (!delivery || typeof delivery.status !== 'number') {
    io.stderr.write(
      `${style.red('error:')} the server's answer has no { delivery } with a status: ${text.slice(0, 200)}\n`,
    )
    return exitCodes.failed
  }
  const ok = delivery.status >= 200 && delivery.status < 300
  if (values.json) {
    io.stdout.write(toJson(json))
    return ok ? exitCodes.ok : exitCodes.failed
  }
  const parts = [`replayed ${id}`]
  if (delivery.id !== undefined) parts.push(`as ${String(delivery.id)}`)
  io.stdout.write(`${parts.join(' ')}: ${formatStatus(delivery.status, style)}`)
  if (typeof delivery.outcome === 'string') io.stdout.write(` ${delivery.outcome}`)
  if (typeof delivery.duration_ms === 'number')
    io.stdout.write(`  ${style.dim(formatMs(delivery.duration_ms))}`)
  if (delivery.duplicate === true) io.stdout.write(`  ${style.dim('(answered from the idempotency record)')}`)
  io.stdout.write('\n')
  if (typeof delivery.response_body === 'string' && delivery.response_body !== '')
    io.stdout.write(`${delivery.response_body}\n`)
  return ok ? exitCodes.ok : exitCodes.failed
}
