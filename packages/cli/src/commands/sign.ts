import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from 'aghanim-webhooks'
import { requireSecret, timestampOption } from '../args.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'
import { readInput } from '../read-input.js'
import { jsonOption, secretOption, valueOption } from '../shared-options.js'

const options = {
  secret: secretOption('the webhook secret'),
  timestamp: valueOption('T', 'Unix seconds to sign with (default: now)'),
  curl: { type: 'boolean', description: 'print a ready-to-run curl command instead of the headers' },
  url: valueOption('URL', 'the URL for --curl (default: http://localhost:8000/webhook)', {
    default: 'http://localhost:8000/webhook',
  }),
  json: jsonOption('print { "headers": { ... } }'),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: 'Print the two signature headers Aghanim would send for a body.',
  usage: 'aghanim-webhooks sign --secret S [--timestamp T] [--curl [--url URL]] [--json] [FILE|-]',
  about: `Reads the body from FILE, or from standard input with \`-\` (or when input is piped). The signature is
lowercase hex HMAC-SHA256(secret, "<timestamp>.<exact body bytes>").`,
  options,
  optionColumn: 18,
  examples: [
    'aghanim-webhooks sign --secret test_secret body.json',
    `echo -n '{"event_type":"player.verify"}' | aghanim-webhooks sign --secret test_secret -`,
    'aghanim-webhooks sign --secret test_secret --timestamp 1725548450 --curl --url https://api.example.com/aghanim body.json',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, now }: CommandContext): Promise<number> {
  if (positionals.length > 1)
    throw new UsageError(`sign takes one body (FILE or -), got ${positionals.length}.`)
  const secret = requireSecret(values.secret)
  const timestamp = timestampOption(values.timestamp, now)
  const source = positionals[0] ?? (io.stdin && !io.stdin.isTTY ? '-' : undefined)
  if (source === undefined)
    throw new UsageError('Give the body to sign: a FILE, or `-` with the body on standard input.')
  const body = await readInput(source, io)
  const signature = await sign({ secret, timestamp, body })
  const headers = { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp }

  if (values.json) io.stdout.write(toJson({ headers }))
  else if (values.curl) io.stdout.write(`${curlLine(values.url, headers, source, body)}\n`)
  else io.stdout.write(`${SIGNATURE_HEADER}: ${signature}\n${TIMESTAMP_HEADER}: ${timestamp}\n`)
  return exitCodes.ok
}

function curlLine(url: string, headers: Record<string, string>, source: string, body: Uint8Array): string {
  const parts = ['curl', '-sS', '-X', 'POST', quote(url), '-H', quote('content-type: application/json')]
  for (const [name, value] of Object.entries(headers)) parts.push('-H', quote(`${name}: ${value}`))
  // A file is referenced, so its exact bytes are sent; stdin was consumed, so its text is inlined.
  parts.push('--data-binary', source === '-' ? quote(new TextDecoder().decode(body)) : quote(`@${source}`))
  return parts.join(' ')
}

/** POSIX shell single quotes: safe for any text. */
function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}
