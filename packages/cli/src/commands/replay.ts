import { helpOption, integerOption, parseCommand, requireUrl } from '../args.js'
import { type CommandContext, showHelp } from '../command.js'
import { formatMs, formatStatus, toJson } from '../format.js'
import { postAdmin } from '../http/admin-call.js'
import { exitCodes, UsageError } from '../io.js'

export const help = `Replay a recorded delivery through the server's admin API, and show the new answer.

Usage: aghanim-webhooks replay <delivery-id> [--server URL] [--token T] [--json]

Calls POST <server>/api/deliveries/<delivery-id>/replay: the server runs the recorded request through its
receiver again (a duplicate is answered from the idempotency record, exactly as a retry would be).
Exit code 0 when the replayed delivery answered 2xx, 1 otherwise.

Options:
  --server URL    the server's base URL (or set AGHANIM_SERVER_URL; default http://localhost:8000)
  --token T       the server's admin token (or set ADMIN_TOKEN); a server without one answers loopback only
  --timeout MS    request timeout (default 10000)
  --json          print the server's { delivery } answer
  -h, --help      show this help

Examples:
  aghanim-webhooks replay dlv_01J9ZK
  aghanim-webhooks replay dlv_01J9ZK --server https://hooks.example.com --token $ADMIN_TOKEN --json
`

interface ReplayedDelivery {
  id?: unknown
  status?: unknown
  outcome?: unknown
  duration_ms?: unknown
  duplicate?: unknown
  replay_of?: unknown
  response_body?: unknown
}

export async function run(argv: string[], { io, style }: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    ...helpOption,
    server: { type: 'string' },
    token: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (values.help) return showHelp(io, help)
  const id = positionals[0]
  if (positionals.length !== 1 || !id)
    throw new UsageError('Name one delivery id (the inspector and GET /api/deliveries show them).')
  const server = requireUrl(values.server ?? io.env.AGHANIM_SERVER_URL ?? 'http://localhost:8000', '--server')
  const token = values.token ?? io.env.ADMIN_TOKEN
  const timeoutMs = integerOption(values.timeout, 'timeout', 1) ?? 10_000

  const answer = await postAdmin(io, style, {
    server,
    token,
    timeoutMs,
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
