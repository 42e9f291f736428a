import { integerOption, requireUrl } from '../args.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { errorOf, toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'
import { jsonOption, serverOption, timeoutOption, tokenOption, valueOption } from '../shared-options.js'

interface Answer {
  checked: number
  missing: { order_id: string; player_id: string }[]
  revoked_missing: { order_id: string; player_id: string; status: string }[]
  fixed: { order_id: string; action: string; result: string; message?: string }[]
}

const options = {
  since: valueOption(
    'TIME',
    "start of the window: Unix seconds or ISO 8601 (default: the server's RECONCILE_LOOKBACK ago)",
  ),
  until: valueOption('TIME', 'end of the window (default: now)'),
  game: valueOption('GM', 'the game to reconcile (needed when the server has several)'),
  fix: {
    type: 'boolean',
    description:
      "grant each missing order's items, once per order, whichever of this and a late webhook comes first",
  },
  revoke: {
    type: 'boolean',
    description: 'also revoke refunded or charged-back orders whose item.remove never came',
  },
  'mark-handled': {
    type: 'boolean',
    description: 'after granting, mark the order handled_by_client in Aghanim',
  },
  server: serverOption,
  token: tokenOption(),
  timeout: timeoutOption('give up waiting after this long', 600_000, 'long windows take a while'),
  json: jsonOption("print the server's answer { checked, missing, revoked_missing, fixed }"),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title:
    "Find paid orders the server never granted (and refunded ones it never revoked) through Aghanim's S2S API.",
  usage: `aghanim-webhooks reconcile --server URL --token T [--since TIME] [--until TIME] [--game GM]
                                  [--fix] [--revoke] [--mark-handled] [--json]`,
  about: `Calls POST <server>/api/reconcile: the server pages through the game's payments in the window (done, refunded,
charged back) and compares each order with its ledger. The server needs the game's S2S API key
(AGHANIM_API_KEY, or AGHANIM_GAME_API_KEYS with several games). Without --fix it only reports.
Exit code 0 when nothing is left missing, 1 when orders are left missing (or not revoked) or the run failed.`,
  options,
  optionColumn: 19,
  examples: [
    'aghanim-webhooks reconcile --server https://hooks.example.com --token $ADMIN_TOKEN --since 2026-11-28T00:00:00Z',
    'aghanim-webhooks reconcile --since 1764547200 --fix',
    'aghanim-webhooks reconcile --game gm_exTAyxPsVwh --fix --mark-handled --json',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style }: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(positionals[0])}.`)
  const body: Record<string, unknown> = {}
  for (const name of ['since', 'until'] as const) {
    const value = values[name]
    if (value === undefined) continue
    if (!/^\d{1,12}$/.test(value) && !Number.isFinite(Date.parse(value)))
      throw new UsageError(
        `--${name} must be Unix seconds or an ISO time such as 2026-12-02T10:00:00Z, got ${JSON.stringify(value)}.`,
      )
    body[name] = /^\d+$/.test(value) ? Number(value) : value
  }
  if (values.game) body.game = values.game
  if (values.fix) body.fix = true
  if (values.revoke) body.revoke = true
  if (values['mark-handled']) body.mark_handled = true
  const server = requireUrl(values.server, '--server')
  const token = values.token
  const timeoutMs = integerOption(values.timeout, 'timeout', 1)
  const live = io.stderr.isTTY === true && io.env.TERM !== 'dumb' && !io.env.CI
  const base = server.href.endsWith('/') ? server.href : `${server.href}/`

  let response: Response
  try {
    response = await (io.fetch ?? fetch)(new URL('api/reconcile', base), {
      method: 'POST',
      headers: {
        accept: 'application/x-ndjson',
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    io.stderr.write(`${style.red('error:')} could not reach ${server.origin} (${cause})\n`)
    return exitCodes.failed
  }
  let answer: Answer | undefined
  let failure: { code?: string; message?: string } | undefined
  try {
    if (!response.ok) {
      const text = await response.text()
      failure = errorOf(safeJson(text)) ?? { message: `HTTP ${response.status} ${text.slice(0, 200)}` }
      if (response.status === 401 || response.status === 403)
        failure.message = `${failure.message ?? ''} (check --token / ADMIN_TOKEN)`
    } else {
      for await (const line of lines(response)) {
        const value = safeJson(line) as {
          progress?: Record<string, number>
          result?: Answer
          error?: unknown
        }
        if (value?.progress && live) {
          const p = value.progress
          io.stderr.write(
            `\r\u001b[2K${style.dim(`${p.phase}: ${p.pages} pages, ${p.checked} orders checked, ${p.missing} missing, ${p.revokedMissing} not revoked, ${p.fixed} fixed`)}`,
          )
        }
        if (value?.result) answer = value.result
        if (value?.error) failure = errorOf(value.error)
      }
    }
  } catch (error) {
    failure = { message: `the answer was cut off (${(error as Error).message})` }
  }
  if (live) io.stderr.write('\r\u001b[2K')
  if (!answer) {
    const detail = failure ? [failure.code, failure.message].filter(Boolean).join(': ') : 'no answer'
    io.stderr.write(`${style.red('error:')} reconciliation failed: ${detail}\n`)
    return exitCodes.failed
  }
  if (values.json) io.stdout.write(toJson(answer))
  else io.stdout.write(summary(answer, style))
  return leftOver(answer, values.fix === true, values.revoke === true) ? exitCodes.failed : exitCodes.ok
}

function summary(answer: Answer, style: CommandContext['style']): string {
  const out = [`checked ${answer.checked} order${answer.checked === 1 ? '' : 's'}`]
  const fixedOf = (orderId: string, action: string) =>
    answer.fixed.find((entry) => entry.order_id === orderId && entry.action === action)
  for (const order of answer.missing) {
    const fixed = fixedOf(order.order_id, 'grant')
    out.push(
      `${style.yellow('missing')}  ${order.order_id} (player ${order.player_id})${fixed ? ` → ${fixed.result}${fixed.message ? `: ${fixed.message}` : ''}` : ''}`,
    )
  }
  for (const order of answer.revoked_missing) {
    const fixed = fixedOf(order.order_id, 'revoke')
    out.push(
      `${style.yellow('not revoked')}  ${order.order_id} (player ${order.player_id}, ${order.status})${fixed ? ` → ${fixed.result}${fixed.message ? `: ${fixed.message}` : ''}` : ''}`,
    )
  }
  if (answer.missing.length === 0 && answer.revoked_missing.length === 0)
    out.push(style.green('every paid order was granted, every refunded one revoked'))
  return `${out.join('\n')}\n`
}

/** Whether the run left orders as it found them: missing ones not granted, reversed ones not revoked. */
function leftOver(answer: Answer, fix: boolean, revoke: boolean): boolean {
  const done = (orderId: string, action: string) =>
    answer.fixed.some(
      (entry) =>
        entry.order_id === orderId &&
        entry.action === action &&
        (entry.result === 'granted' || entry.result.startsWith('already') || entry.result === 'revoked'),
    )
  return (
    answer.missing.some((order) => !fix || !done(order.order_id, 'grant')) ||
    answer.revoked_missing.some((order) => !revoke || !done(order.order_id, 'revoke'))
  )
}

async function* lines(response: Response): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true })
    let end = buffered.indexOf('\n')
    while (end >= 0) {
      const line = buffered.slice(0, end).trim()
      buffered = buffered.slice(end + 1)
      if (line) yield line
      end = buffered.indexOf('\n')
    }
  }
  if (buffered.trim()) yield buffered.trim()
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
