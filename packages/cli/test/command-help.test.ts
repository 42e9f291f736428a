import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type CommandHelp, helpText } from '../src/command.js'
import { commands } from '../src/commands/index.js'
import { cli } from './helpers/run.js'

// Each command's options are declared once; these tests keep its --help, its hand-written usage and
// examples, and docs/cli.md from drifting away from that declaration.

const declared = await Promise.all(
  Object.entries(commands).map(async ([name, entry]) => [name, (await entry.load()).help] as const),
)
const withHelp = declared.filter((row): row is readonly [string, CommandHelp] => row[1] !== undefined)
const flagsOf = (help: CommandHelp) => [...Object.keys(help.options), 'help'].map((name) => `--${name}`)
const flagsIn = (text: string) => [...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((match) => match[0])
const docs = ['../../../docs/cli.md', '../../../README.md']
  .map((path) => readFileSync(new URL(path, import.meta.url), 'utf8'))
  .join('\n')

describe('every command is declared once', () => {
  it('has a declaration for every command but serve, whose options belong to the server package', () => {
    expect(declared.filter(([, help]) => help === undefined).map(([name]) => name)).toEqual(['serve'])
  })

  it.each(withHelp)('%s --help is the text made from its declaration', async (name, help) => {
    const run = await cli([name, '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(helpText(help))
  })

  it.each(withHelp)('%s --help lists exactly its declared options, in order', async (name, help) => {
    const { stdout } = await cli([name, '--help'])
    const section = stdout.slice(stdout.indexOf('\nOptions:\n'), stdout.indexOf('\nExamples:\n'))
    const listed = [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((match) => match[1])
    expect(listed).toEqual(flagsOf(help))
  })

  it.each(withHelp)('%s accepts every option its --help lists', async (name, help) => {
    const argv = Object.entries(help.options).flatMap(([option, spec]) =>
      spec.type === 'boolean' ? [`--${option}`] : [`--${option}`, 'x'],
    )
    expect((await cli([name, ...argv, '--help'])).code).toBe(0)
    expect((await cli([name, '--not-an-option'])).code).toBe(2)
  })

  it.each(withHelp)('%s names only declared options in its usage and examples', (_name, help) => {
    const flags = flagsOf(help)
    for (const flag of flagsIn([help.usage, ...help.examples].join('\n'))) expect(flags).toContain(flag)
  })

  it.each(withHelp)("%s's help states each option's environment variable and default", (_name, help) => {
    for (const spec of Object.values(help.options)) {
      if (spec.env) expect(spec.description).toContain(spec.env)
      if (spec.default) expect(spec.description).toContain(spec.default)
    }
  })
})

describe('docs/cli.md and the README follow the declarations', () => {
  it("lists the commands in the global help's order", () => {
    const table = [...docs.matchAll(/^\| \[`(\w+)/gm)].map((match) => match[1])
    expect(table).toEqual(Object.keys(commands))
  })

  it("names only a command's declared options in its option tables", () => {
    for (const [name, help] of withHelp) {
      const section = docs.split(/^## /m).find((part) => part.startsWith(`${name}\n`)) ?? ''
      const rows = [...section.matchAll(/^\| `(--[a-z][a-z-]*)/gm)].map((match) => match[1])
      for (const flag of rows) expect(flagsOf(help), `${name} ${flag}`).toContain(flag)
    }
  })

  it("uses only a command's declared options where it shows the command being run", () => {
    const lines = docs.replaceAll('\\\n', ' ')
    const byName = new Map(withHelp)
    for (const match of lines.matchAll(/aghanim-webhooks ([a-z]+)\b([^\n`|]*)/g)) {
      const help = byName.get(match[1]!)
      if (!help) continue
      for (const flag of flagsIn(match[2]!)) expect(flagsOf(help), `${match[0]}`).toContain(flag)
    }
  })
})
