import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'
import { UsageError } from './io.js'

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>

/** Every command takes `-h/--help`. */
export const helpOption = { help: { type: 'boolean', short: 'h' } } as const

/**
 * node:util parseArgs in strict mode, with its errors turned into usage errors (exit code 2).
 *
 * @example const { values, positionals } = parseCommand(argv, { ...helpOption, secret: { type: 'string' } })
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(args: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs messages already name the option; drop its advice about '--' which rarely applies here.
    const message = (error as Error).message.split('\n')[0]?.replace(/\. To specify a positional.*$/, '.')
    throw new UsageError(message ?? 'Invalid arguments.')
  }
}

/** A whole number option within bounds, e.g. `--repeat 3`. */
export function integerOption(
  value: string | undefined,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value.trim()))
    throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}.`)
  const number = Number(value)
  if (number < min || number > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${number}.`)
  return number
}

/** `--secret`, else AGHANIM_WEBHOOK_SECRET (keeps the secret out of shell history and `ps`). */
export function requireSecret(
  value: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const secret = value ?? env.AGHANIM_WEBHOOK_SECRET
  if (!secret)
    throw new UsageError('A webhook secret is required: pass --secret or set AGHANIM_WEBHOOK_SECRET.')
  return secret
}

/** An absolute http(s) URL, or a usage error that shows what was given. `what` names it: `--url`, `URL`. */
export function requireUrl(value: string | undefined, what: string): URL {
  if (!value)
    throw new UsageError(
      `${what} is required, e.g. ${what.startsWith('--') ? `${what} ` : ''}http://localhost:8000/webhook`,
    )
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(
      `${what} must be an absolute URL such as http://localhost:8000/webhook, got ${JSON.stringify(value)}.`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} must use http or https, got ${url.protocol.replace(':', '')}.`)
  }
  return url
}

/**
 * A signature timestamp: Unix seconds, kept as typed (leading zeros and all) because that literal text is
 * what gets signed. Defaults to now.
 */
export function timestampOption(value: string | undefined, now: () => number): string {
  if (value === undefined) return String(Math.floor(now() / 1000))
  if (!/^\d{1,15}$/.test(value))
    throw new UsageError(`--timestamp must be Unix seconds (digits only), got ${JSON.stringify(value)}.`)
  return value
}
