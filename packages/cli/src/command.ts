import { parseArgs } from 'node:util'
import { type CliIo, exitCodes, UsageError } from './io.js'
import type { Style } from './style.js'

/** What every command receives: the injected I/O, the stdout style (colours or not) and the clock. */
export interface CommandContext {
  io: CliIo
  style: Style
  now: () => number
}

/** One option, declared once: the parser and the `--help` line are both made from it. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  /** The value's name in `--help`: `URL` in `--url URL`. */
  value?: string
  /** The `--help` text; a `\n` starts a continuation line under the first. */
  description: string
  /** Read when the flag is absent. */
  env?: string
  /** Taken when neither the flag nor `env` gives a value. */
  default?: string
  /** The flag may be given several times; the value is then the list. */
  repeatable?: boolean
  short?: string
}

export type OptionSpecs = Record<string, OptionSpec>

/** The parsed value of each option: a list when repeatable, always present when it has a default. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean | undefined
    : O[K] extends { repeatable: true }
      ? string[] | undefined
      : O[K] extends { default: string }
        ? string
        : string | undefined
}

/** A command's `--help`, option by option; everything else it prints is the command's own business. */
export interface CommandHelp<O extends OptionSpecs = OptionSpecs> {
  /** The first line of `--help`. */
  title: string
  /** After `Usage: `; further lines carry their own indentation. */
  usage: string
  /** What `--help` says between the usage and the options. */
  about: string
  options: O
  /** The column where option descriptions start in `--help`. */
  optionColumn: number
  examples: readonly string[]
}

/** What a command's `run` gets: the declared options' values and the arguments that are not options. */
export interface CommandInput<O extends OptionSpecs> {
  values: OptionValues<O>
  positionals: string[]
}

export interface CommandDefinition<O extends OptionSpecs> extends CommandHelp<O> {
  run(input: CommandInput<O>, context: CommandContext): Promise<number>
}

/** What the commands list loads: something to run with the arguments after the command's name. */
export interface Command {
  /** Absent for `serve`, whose options and help belong to the server package. */
  help?: CommandHelp
  run(argv: string[], context: CommandContext): Promise<number>
}

/** Every command takes `-h/--help`; it is listed last. */
const helpOptionSpec: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' }

/**
 * A command from its declaration: parses strictly (an unknown option is a usage error, exit 2), answers
 * `--help` with the text made from the same declaration, then runs.
 *
 * @example export const send = defineCommand({ title, usage, about, options: { url: { type: 'string', value: 'URL', description: 'the endpoint (required)' } }, optionColumn: 18, examples, run })
 */
export function defineCommand<const O extends OptionSpecs>(definition: CommandDefinition<O>): Command {
  const { run, ...help } = definition
  return {
    help,
    async run(argv, context) {
      const { values, positionals, wantsHelp } = parseOptions(argv, definition.options, context.io.env)
      if (wantsHelp) {
        context.io.stdout.write(helpText(help))
        return exitCodes.ok
      }
      return run({ values: values as OptionValues<O>, positionals }, context)
    },
  }
}

/** node:util parseArgs in strict mode, then each absent option from its env variable or default. */
function parseOptions(
  args: string[],
  specs: OptionSpecs,
  env: CliIo['env'],
): { values: Record<string, unknown>; positionals: string[]; wantsHelp: boolean } {
  const options = Object.fromEntries(
    Object.entries({ ...specs, help: helpOptionSpec }).map(([name, spec]) => [
      name,
      { type: spec.type, multiple: spec.repeatable === true, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  )
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs messages already name the option; drop its advice about '--' which rarely applies here.
    const message = (error as Error).message.split('\n')[0]?.replace(/\. To specify a positional.*$/, '.')
    throw new UsageError(message ?? 'Invalid arguments.')
  }
  const { help, ...values } = parsed.values
  for (const [name, spec] of Object.entries(specs)) {
    values[name] ??= (spec.env === undefined ? undefined : env[spec.env]) ?? spec.default
  }
  return { values, positionals: parsed.positionals, wantsHelp: help === true }
}

/** The flag as `--help` shows it: `--url URL`, `-h, --help`. */
function optionLabel(name: string, spec: OptionSpec): string {
  const flag = spec.short ? `-${spec.short}, --${name}` : `--${name}`
  return spec.value ? `${flag} ${spec.value}` : flag
}

/** A command's full `--help`: title, usage, about, the declared options (and `--help`), examples. */
export function helpText(help: CommandHelp): string {
  const indent = ' '.repeat(help.optionColumn)
  const options = Object.entries({ ...help.options, help: helpOptionSpec }).map(([name, spec]) => {
    const [first, ...more] = spec.description.split('\n')
    const label = `  ${optionLabel(name, spec)}`.padEnd(help.optionColumn)
    return [`${label}${first}`, ...more.map((line) => `${indent}${line}`)].join('\n')
  })
  return `${help.title}

Usage: ${help.usage}

${help.about}

Options:
${options.join('\n')}

Examples:
${help.examples.map((example) => `  ${example}`).join('\n')}
`
}
