import { integerOption, requireSecret, requireUrl, timestampOption } from '../args.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { formatMs, formatStatus, oneLine, prettyBody, toJson } from '../format.js'
import { type DeliveryAnswer, DeliveryError, deliver } from '../http/deliver.js'
import { exitCodes, UsageError } from '../io.js'
import { buildEvent, requireEventType } from '../payload/build-event.js'
import { createProgress } from '../progress.js'
import { readInput } from '../read-input.js'
import { endpointOptions, jsonOption, requestTimeoutOption, valueOption } from '../shared-options.js'

interface Sent {
  url: URL
  eventType: unknown
  eventId: unknown
  idempotencyKey: unknown
  timestamp: string
}

const options = {
  ...endpointOptions,
  player: valueOption('P', 'set event_data.player_id'),
  data: {
    type: 'string',
    value: 'FILE|JSON',
    description: `event_data to merge over the fixture (objects merge, arrays replace); a whole
envelope if it has an event_data key; \`-\` reads standard input`,
  },
  set: {
    type: 'string',
    value: 'path=value',
    repeatable: true,
    description: `set a string (repeatable); path:=json sets a JSON value. Paths not starting
with an envelope field are inside event_data: items[0].quantity:=5`,
  },
  timestamp: valueOption('T', 'Unix seconds for the signature header and event_time (default: now)'),
  'idempotency-key': valueOption('K', 'set idempotency_key (e.g. to replay a key you sent before)'),
  repeat: valueOption('N', 'deliver the identical signed bytes N times, like Aghanim retrying (default 1)', {
    default: '1',
  }),
  raw: valueOption('FILE|-', 'send these bytes exactly as given, signed, instead of a generated event'),
  timeout: requestTimeoutOption,
  json: jsonOption('print the request and answers as JSON'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: 'Sign and POST one realistic event, as Aghanim would, and print the answer.',
  usage: `aghanim-webhooks send <event-type> --url URL --secret S [options]
       aghanim-webhooks send --raw FILE --url URL --secret S [options]`,
  about: `The payload is the catalogue's fixture for the event type (see \`aghanim-webhooks fixtures <type>\`) with
fresh event_id / idempotency_key, then your changes. Exit code 0 when every answer is 2xx, 1 otherwise.`,
  options,
  optionColumn: 26,
  examples: [
    'aghanim-webhooks send item.add --url http://localhost:8000/webhook --secret test_secret --player testplayer',
    'aghanim-webhooks send item.add --url $URL --set items[0].sku=gems --set items[0].quantity:=100',
    'aghanim-webhooks send order.paid --url $URL --data order.json --repeat 3',
    'aghanim-webhooks send --raw captured-body.json --url $URL --timestamp 1725548450',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style, now }: CommandContext): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`send takes one event type, got ${positionals.join(' ')}.`)
  const url = requireUrl(values.url, '--url')
  const secret = requireSecret(values.secret)
  const repeat = integerOption(values.repeat, 'repeat', 1, 10_000)
  const timeoutMs = integerOption(values.timeout, 'timeout', 1)
  const timestamp = timestampOption(values.timestamp, now)

  let body: Uint8Array
  let event: Record<string, unknown> | undefined
  if (values.raw !== undefined) {
    const conflicting = ['data', 'set', 'player', 'idempotency-key'].filter(
      (name) => values[name as keyof typeof values] !== undefined,
    )
    if (conflicting.length > 0)
      throw new UsageError(
        `--raw sends the bytes as given; it cannot be combined with --${conflicting.join(', --')}.`,
      )
    body = await readInput(values.raw, io)
  } else {
    const type = requireEventType(positionals[0])
    event = await buildEvent(
      type,
      {
        data: values.data,
        set: values.set,
        player: values.player,
        eventTime: Number(timestamp),
        idempotencyKey: values['idempotency-key'],
      },
      io,
    )
    body = new TextEncoder().encode(JSON.stringify(event))
  }
  const sent: Sent = {
    url,
    eventType: event?.event_type ?? positionals[0],
    eventId: event?.event_id,
    idempotencyKey: event?.idempotency_key,
    timestamp,
  }

  if (!values.json) io.stdout.write(`${describeRequest(sent, style)}\n`)
  const progress = createProgress(io, repeat)
  const answers: DeliveryAnswer[] = []
  let failure: string | undefined
  for (let index = 0; index < repeat; index++) {
    progress.update(index, `POST ${url.host}`)
    try {
      answers.push(await deliver({ url, secret, body, timestamp, timeoutMs }, io))
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error
      failure = error.message
      break
    }
    if (!values.json && repeat > 1) {
      const answer = answers[index]!
      progress.log(
        `#${index + 1}  ${formatStatus(answer.status, style)}  ${style.dim(formatMs(answer.ms))}  ${oneLine(answer.body)}`,
      )
    }
  }
  progress.end()

  const ok = failure === undefined && answers.every((answer) => answer.status >= 200 && answer.status < 300)
  if (values.json) {
    io.stdout.write(
      toJson({ ...requestJson(sent), answers: answers.map(answerJson), error: failure ?? null, ok }),
    )
  } else {
    if (repeat === 1 && answers[0]) printAnswer(answers[0], io.stdout, style)
    if (repeat > 1 && answers.length > 1) io.stdout.write(`${summarize(answers, style)}\n`)
    if (failure) io.stderr.write(`${style.red('error:')} ${failure}\n`)
  }
  return ok ? exitCodes.ok : exitCodes.failed
}

function describeRequest(sent: Sent, style: CommandContext['style']): string {
  const parts = [style.bold(`POST ${sent.url.href}`)]
  if (sent.eventType !== undefined) parts.push(style.cyan(String(sent.eventType)))
  if (sent.eventId !== undefined) parts.push(style.dim(`event_id ${sent.eventId}`))
  if (typeof sent.idempotencyKey === 'string') parts.push(style.dim(`idempotency_key ${sent.idempotencyKey}`))
  return parts.join('  ')
}

function printAnswer(
  answer: DeliveryAnswer,
  stdout: { write(text: string): unknown },
  style: CommandContext['style'],
): void {
  stdout.write(
    `${formatStatus(answer.status, style, answer.statusText)}  ${style.dim(formatMs(answer.ms))}\n`,
  )
  if (answer.body !== '') stdout.write(`${prettyBody(answer.body, answer.json)}\n`)
}

function summarize(answers: DeliveryAnswer[], style: CommandContext['style']): string {
  const ok = answers.filter((answer) => answer.status >= 200 && answer.status < 300).length
  const first = answers[0]!
  const identical = answers.every((answer) => answer.status === first.status && answer.body === first.body)
  const counts = `${ok}/${answers.length} answered 2xx`
  const sameness = identical ? 'all answers identical' : style.yellow('answers differ')
  return `${ok === answers.length ? style.green(counts) : style.red(counts)}; ${sameness}`
}

function requestJson(sent: Sent) {
  return {
    url: sent.url.href,
    event_type: sent.eventType ?? null,
    event_id: sent.eventId ?? null,
    idempotency_key: sent.idempotencyKey ?? null,
    timestamp: sent.timestamp,
  }
}

function answerJson(answer: DeliveryAnswer) {
  return { status: answer.status, ms: Math.round(answer.ms), body: answer.json ?? answer.body }
}
