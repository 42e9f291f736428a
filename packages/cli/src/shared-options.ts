import type { OptionSpec } from './command.js'

// Options several commands take, declared once with the env variable and default the parser applies.

/** `--name VALUE`: an option that takes a value, described; `more` adds its env variable, default or repetition. */
export function valueOption<const M extends Omit<Partial<OptionSpec>, 'type' | 'value' | 'description'>>(
  value: string,
  description: string,
  more?: M,
): { type: 'string'; value: string; description: string } & M {
  return { type: 'string', value, description, ...(more as M) }
}

/** `--secret S`, or AGHANIM_WEBHOOK_SECRET: keeps the secret out of shell history and `ps`. */
export function secretOption(what: string) {
  return {
    type: 'string',
    value: 'S',
    env: 'AGHANIM_WEBHOOK_SECRET',
    description: `${what} (or set AGHANIM_WEBHOOK_SECRET)`,
  } as const satisfies OptionSpec
}

/** `--server URL` of the admin API's commands. */
export const serverOption = {
  type: 'string',
  value: 'URL',
  env: 'AGHANIM_SERVER_URL',
  default: 'http://localhost:8000',
  description: "the server's base URL (or set AGHANIM_SERVER_URL; default http://localhost:8000)",
} as const satisfies OptionSpec

/** `--token T`: the admin token, or ADMIN_TOKEN. `note` follows the common text. */
export function tokenOption(note = '') {
  return {
    type: 'string',
    value: 'T',
    env: 'ADMIN_TOKEN',
    description: `the server's admin token (or set ADMIN_TOKEN)${note}`,
  } as const satisfies OptionSpec
}

/** `--timeout MS`: what it bounds, its default and, when it needs one, why that default. */
export function timeoutOption(what: string, defaultMs: number, why?: string) {
  return {
    type: 'string',
    value: 'MS',
    default: String(defaultMs),
    description: `${what} (default ${defaultMs}${why ? `: ${why}` : ''})`,
  } as const satisfies OptionSpec
}

/** Where `send` and `trigger` deliver, and the secret they sign with. */
export const endpointOptions = {
  url: { type: 'string', value: 'URL', description: 'the endpoint (required)' },
  secret: secretOption('the webhook secret'),
} as const satisfies Record<string, OptionSpec>

/** How long `send` and `trigger` wait for each answer. */
export const requestTimeoutOption = timeoutOption('per-request timeout', 10_000)

/**
 * How `redrive` and `replay` reach the admin API (`adminCallOf` reads them), and `--json` to print what it
 * answers instead of the summary: the object with `answer` in it.
 */
export function adminCallOptions(answer: string) {
  return {
    server: serverOption,
    token: tokenOption('; a server without one answers loopback only'),
    timeout: timeoutOption('request timeout', 10_000),
    json: jsonOption(`print the server's { ${answer} } answer`),
  } as const satisfies Record<string, OptionSpec>
}

/** `--json`: what it prints instead of the text. */
export function jsonOption(description: string) {
  return { type: 'boolean', description } as const satisfies OptionSpec
}
