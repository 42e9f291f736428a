import { readFileSync } from 'node:fs'
import type { CommandContext } from './command.js'
import { commands } from './commands/index.js'
import { type CliIo, exitCodes, UsageError } from './io.js'
import { closest } from './payload/suggest.js'
import { colorEnabled, createStyle } from './style.js'

const BIN = 'aghanim-webhooks'

/**
 * The whole CLI as a function of its inputs, so tests run it in-process. Returns the exit code:
 * 0 ok, 1 a check or request failed, 2 usage or configuration error.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() })
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr.write(globalHelp())
    return exitCodes.usage
  }
  if (name === '--help' || name === '-h') return print(io, globalHelp())
  if (name === '--version' || name === '-v') return print(io, `${version()}\n`)
  if (name === 'help')
    return rest[0] === undefined ? print(io, globalHelp()) : runCli([rest[0], '--help'], io)

  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!entry) {
    const guess = closest(name, Object.keys(commands))
    return usageError(
      io,
      `Unknown command ${JSON.stringify(name)}.${guess ? ` Did you mean ${guess}?` : ''}`,
      undefined,
    )
  }
  const context: CommandContext = {
    io,
    style: createStyle(colorEnabled(io.stdout, io.env)),
    now: io.now ?? Date.now,
  }
  try {
    const command = await entry.load()
    return await command.run(rest, context)
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, name)
    const style = createStyle(colorEnabled(io.stderr, io.env))
    io.stderr.write(`${style.red('error:')} ${(error as Error)?.message ?? String(error)}\n`)
    if (io.env.DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`)
    return exitCodes.failed
  }
}

function usageError(io: CliIo, message: string, command: string | undefined): number {
  const style = createStyle(colorEnabled(io.stderr, io.env))
  const help = command ? `${BIN} ${command} --help` : `${BIN} --help`
  io.stderr.write(`${style.red('error:')} ${message}\n${style.dim(`See \`${help}\`.`)}\n`)
  return exitCodes.usage
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text)
  return exitCodes.ok
}

function version(): string {
  // Read at run time from the package itself: works from src/ (tests) and dist/ (installed) alike.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

function globalHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length))
  const list = Object.entries(commands)
    .map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`)
    .join('\n')
  return `Receive, send and test Aghanim webhooks.

Usage: ${BIN} <command> [options]

Commands:
${list}

Examples:
  ${BIN} serve
  ${BIN} check http://localhost:8000/webhook --secret test_secret
  ${BIN} send item.add --url http://localhost:8000/webhook --secret test_secret --player testplayer
  ${BIN} trigger purchase --url http://localhost:8000/webhook --secret test_secret

The secret can come from AGHANIM_WEBHOOK_SECRET instead of --secret.
Run \`${BIN} <command> --help\` for a command's options and examples.
Exit codes: 0 ok, 1 a check or request failed, 2 usage or configuration error.
`
}
