import { hostname, userInfo } from 'node:os'
import { eventTypes } from 'aghanim-webhooks'
import { requireSecret, requireUrl } from '../args.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { formatMs } from '../format.js'
import { parseJson } from '../http/deliver.js'
import { exitCodes, UsageError } from '../io.js'
import type { DeliveryFrame } from '../listen/delivery-frame.js'
import { causeOf, forwardLocally, type LocalAnswer } from '../listen/forward-local.js'
import { listenLine, type Verdict } from '../listen/listen-line.js'
import { listenSession } from '../listen/listen-session.js'
import { closest } from '../payload/suggest.js'
import { jsonOption, secretOption, serverOption, tokenOption, valueOption } from '../shared-options.js'

const PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/
const FIRST_DELAY_MS = 500
const MAX_DELAY_MS = 10_000

const options = {
  server: serverOption,
  token: tokenOption(),
  'forward-to': valueOption('URL', 'your local webhook endpoint, e.g. http://localhost:3000/webhook'),
  secret: secretOption('the secret your local app verifies with'),
  events: valueOption(
    'LIST',
    "only these: comma-separated types or families, e.g. 'item.*,player.verify' (default all)",
  ),
  json: jsonOption('one JSON object per delivery (NDJSON) on stdout; status messages stay on stderr'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: "Bring a deployed server's webhooks to your laptop: each delivery is sent to your local app.",
  usage:
    'aghanim-webhooks listen --server URL --forward-to URL [--token T] [--secret S] [--events LIST] [--json]',
  about: `Holds a connection to the server (GET <server>/api/listen, your admin token in the Authorization header), sends
each delivery it gets to --forward-to with the original body re-signed with --secret in Aghanim's scheme, and
prints one line per delivery: time, event type, player, your app's status and how long it took.
What your answer does depends on the server's --listen-mode: mirror (the default) shows and records it while the
server answers Aghanim itself; tunnel makes it the answer Aghanim gets. Reconnects by itself (with backoff) when
the server restarts or the network drops. Ctrl-C ends it. Exit code 2 when the server refuses the token.`,
  options,
  optionColumn: 20,
  examples: [
    'aghanim-webhooks listen --server https://hooks.example.com --token $ADMIN_TOKEN --forward-to http://localhost:3000/webhook',
    "aghanim-webhooks listen --server https://hooks.example.com --forward-to http://localhost:3000/webhook --events 'item.*' --json",
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style, now }: CommandContext): Promise<number> {
  if (positionals.length > 0)
    throw new UsageError(`listen takes no arguments; got ${JSON.stringify(positionals[0])}.`)
  const server = requireUrl(values.server, '--server')
  const target = requireUrl(values['forward-to'], '--forward-to')
  const secret = requireSecret(values.secret)
  const token = values.token
  const events = parseEvents(values.events)
  const json = values.json === true
  const fetcher = io.fetch ?? fetch
  const say = (text: string) => io.stderr.write(`${style.dim('listen:')} ${text}\n`)

  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const inFlight = new Set<Promise<void>>()
  let delivered = 0
  let everConnected = false
  let unreported = false

  /** Reports the local answer; resolves with what Aghanim got when the server says (a tunnelled delivery). */
  const report = async (frame: DeliveryFrame, answer: LocalAnswer): Promise<Verdict | undefined> => {
    const base = server.href.endsWith('/') ? server.href : `${server.href}/`
    try {
      const response = await fetcher(new URL('api/listen/answers', base), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          ticket: frame.ticket,
          status: answer.status,
          body: answer.body,
          duration_ms: answer.ms,
          error: answer.error,
        }),
        signal: AbortSignal.timeout(10_000),
      })
      const text = await response.text()
      if (response.ok) return verdictOf(text)
      if (!unreported) {
        unreported = true
        say(
          style.yellow(
            `the server did not take the answer to ${frame.delivery_id} (HTTP ${response.status}); it is not recorded.`,
          ),
        )
      }
    } catch (error) {
      say(style.yellow(`could not report the answer to ${frame.delivery_id} (${causeOf(error)}).`))
    }
    return undefined
  }
  const onDelivery = (frame: DeliveryFrame) => {
    const work = (async () => {
      const answer = await forwardLocally(frame, target, secret, now, fetcher)
      const at = now()
      const verdict = await report(frame, answer)
      delivered++
      io.stdout.write(listenLine(frame, answer, verdict, at, style, json))
    })()
    inFlight.add(work)
    void work.finally(() => inFlight.delete(work))
  }

  try {
    let delay = FIRST_DELAY_MS
    while (!stop.signal.aborted) {
      const end = await listenSession({
        server,
        token,
        events,
        name: listenerName(),
        target: withoutCredentials(target),
        signal: stop.signal,
        fetch: fetcher,
        onReady: (ready) => {
          delay = FIRST_DELAY_MS
          say(
            `${everConnected ? 'reconnected' : 'connected'} to ${server.origin} (${ready.mode} mode, ${
              ready.events.length ? ready.events.join(', ') : 'all events'
            }) → ${target.href}`,
          )
          everConnected = true
        },
        onDelivery,
      })
      if (end.kind === 'stopped') break
      if (end.kind === 'fatal') {
        io.stderr.write(`${style.red('error:')} ${end.message}\n`)
        return end.code
      }
      say(
        style.yellow(
          `${end.connected ? 'connection lost' : 'not connected'}: ${end.reason}; reconnecting in ${formatMs(delay)}…`,
        ),
      )
      await sleep(delay, stop.signal)
      delay = Math.min(delay * 2, MAX_DELAY_MS)
    }
    // Ctrl-C: answers already on their way are reported, nothing new is taken.
    await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    say(`stopped after ${delivered} ${delivered === 1 ? 'delivery' : 'deliveries'}.`)
    return exitCodes.ok
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

function verdictOf(text: string): Verdict | undefined {
  const aghanim = (parseJson(text) as { aghanim?: { status?: unknown; error?: unknown } } | undefined)
    ?.aghanim
  if (typeof aghanim?.status !== 'number') return undefined
  return { status: aghanim.status, error: typeof aghanim.error === 'string' ? aghanim.error : null }
}

function parseEvents(value: string | undefined): string[] {
  const patterns = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
  for (const pattern of patterns) {
    if (!PATTERN.test(pattern))
      throw new UsageError(
        `--events: ${JSON.stringify(pattern)} is not an event type (item.add), a family (item.*) or *.`,
      )
    if (!pattern.endsWith('*') && !(eventTypes as readonly string[]).includes(pattern)) {
      const guess = closest(pattern, eventTypes)
      throw new UsageError(
        `--events: unknown event type ${JSON.stringify(pattern)}.${guess ? ` Did you mean ${guess}?` : ''} (aghanim-webhooks events lists them.)`,
      )
    }
  }
  return patterns.includes('*') ? [] : patterns
}

/** Who is listening, as the inspector shows it: `user@host`. */
function listenerName(): string {
  let user = 'listener'
  try {
    user = userInfo().username
  } catch {}
  return `${user}@${hostname()}`
}

function withoutCredentials(url: URL): URL {
  const copy = new URL(url.href)
  copy.username = ''
  copy.password = ''
  return copy
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
