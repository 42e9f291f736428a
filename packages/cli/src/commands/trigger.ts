import { fixtureEvent } from 'aghanim-webhooks'
import { integerOption, requireSecret, requireUrl } from '../args.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { type FlowIds, flowSummary, flows } from '../flows/flows.js'
import { errorOf, formatMs, formatStatus, oneLine, toJson } from '../format.js'
import { type DeliveryAnswer, DeliveryError, deliver } from '../http/deliver.js'
import { exitCodes, UsageError } from '../io.js'
import { mergeInto } from '../payload/merge.js'
import { randomId } from '../payload/random-id.js'
import { closest } from '../payload/suggest.js'
import { createProgress } from '../progress.js'
import { endpointOptions, jsonOption, requestTimeoutOption, valueOption } from '../shared-options.js'

const flowList = Object.entries(flows)
  .map(([name, flow]) => `  ${name.padEnd(13)} ${flowSummary(flow)}`)
  .join('\n')

interface StepResult {
  type: string
  event_id: string
  idempotency_key: string | null
  answer?: DeliveryAnswer
  error?: string
}

const options = {
  ...endpointOptions,
  player: valueOption('P', 'the player (default: testplayer)', { default: 'testplayer' }),
  sku: valueOption('X', "the item's SKU (default: crystals)", { default: 'crystals' }),
  order: valueOption('ID', 'the order id, e.g. to refund an earlier purchase (default: a new ord_… id)'),
  timeout: requestTimeoutOption,
  json: jsonOption('print the steps and answers as JSON'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: 'Play a whole flow of deliveries with consistent ids, as Aghanim sends them.',
  usage: 'aghanim-webhooks trigger <flow> --url URL --secret S [--player P] [--sku X] [--order ID]',
  about: `Flows:
${flowList}

Each step is signed and sent in order and its answer shown; the flow stops at the first answer that is not
2xx (or no answer), with the reason. Exit code 0 when every step answered 2xx, 1 otherwise.`,
  options,
  optionColumn: 18,
  examples: [
    'aghanim-webhooks trigger purchase --url http://localhost:8000/webhook --secret test_secret',
    'aghanim-webhooks trigger refund --url $URL --player testplayer --order ord_eCacpFwavzi',
    'aghanim-webhooks trigger subscription --url $URL --sku vip_pass --json',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style, now }: CommandContext): Promise<number> {
  const name = positionals[0]
  if (positionals.length !== 1 || name === undefined)
    throw new UsageError(`Name one flow: ${Object.keys(flows).join(', ')}.`)
  const flow = Object.hasOwn(flows, name) ? flows[name] : undefined
  if (!flow) {
    const guess = closest(name, Object.keys(flows))
    throw new UsageError(
      `Unknown flow ${JSON.stringify(name)}.${guess ? ` Did you mean ${guess}?` : ''} Flows: ${Object.keys(flows).join(', ')}.`,
    )
  }
  const url = requireUrl(values.url, '--url')
  const secret = requireSecret(values.secret)
  const timeoutMs = integerOption(values.timeout, 'timeout', 1)
  const ids: FlowIds = {
    player: values.player,
    sku: values.sku,
    order: values.order ?? randomId('ord_', 11),
    payment: randomId('pmt_', 20),
    subscription: randomId('sub_', 14),
    coupon: randomId('', 8).toUpperCase(),
  }

  if (!values.json)
    io.stdout.write(
      `${style.bold(`${name} flow`)}  ${style.dim(`player ${ids.player}  order ${ids.order}  sku ${ids.sku}`)}\n`,
    )
  const progress = createProgress(io, flow.steps.length)
  const results: StepResult[] = []
  const width = Math.max(...flow.steps.map((step) => step.type.length))
  for (const [index, step] of flow.steps.entries()) {
    progress.update(index, step.type)
    const event = fixtureEvent(step.type, {}, { now }) as Record<string, unknown>
    mergeInto(event, { event_data: step.data(ids) })
    const result: StepResult = {
      type: step.type,
      event_id: String(event.event_id),
      idempotency_key: (event.idempotency_key as string | null) ?? null,
    }
    results.push(result)
    const body = new TextEncoder().encode(JSON.stringify(event))
    try {
      result.answer = await deliver({ url, secret, body, timestamp: String(event.event_time), timeoutMs }, io)
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error
      result.error = error.message
    }
    if (!values.json)
      progress.log(stepLine(index + 1, flow.steps.length, step.type.padEnd(width), result, style))
    if (!succeeded(result)) break
  }
  progress.end()

  const failed = results.find((result) => !succeeded(result))
  if (values.json) {
    io.stdout.write(
      toJson({
        flow: name,
        ids,
        ok: !failed,
        steps: results.map(({ answer, ...rest }) => ({
          ...rest,
          status: answer?.status ?? null,
          ms: answer ? Math.round(answer.ms) : null,
          body: answer ? (answer.json ?? answer.body) : null,
        })),
      }),
    )
  } else if (failed) {
    io.stdout.write(
      `${style.red('✖')} ${name} stopped at step ${results.length}/${flow.steps.length} (${failed.type}): ${reason(failed)}\n`,
    )
  } else {
    io.stdout.write(`${style.green('✔')} ${name}: all ${results.length} steps answered 2xx\n`)
  }
  return failed ? exitCodes.failed : exitCodes.ok
}

function succeeded(result: StepResult): boolean {
  return result.answer !== undefined && result.answer.status >= 200 && result.answer.status < 300
}

function stepLine(
  position: number,
  total: number,
  type: string,
  result: StepResult,
  style: CommandContext['style'],
): string {
  const counter = style.dim(`${position}/${total}`)
  if (!result.answer) return `${counter}  ${type}  ${style.red('no answer')}  ${result.error ?? ''}`
  return `${counter}  ${type}  ${formatStatus(result.answer.status, style)}  ${style.dim(formatMs(result.answer.ms).padStart(6))}  ${oneLine(result.answer.body, 100)}`
}

function reason(result: StepResult): string {
  if (!result.answer) return result.error ?? 'no answer'
  const error = errorOf(result.answer.json)
  const detail = error
    ? [error.code, error.message].filter(Boolean).join(': ')
    : oneLine(result.answer.body, 200) || 'empty body'
  return `HTTP ${result.answer.status}, ${detail}`
}
