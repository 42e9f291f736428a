import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { allChecks } from '../src/check/run-checks.js'
import { startLibraryReceiver } from './helpers/library-receiver.js'
import { cli } from './helpers/run.js'

describe('the aghanim-webhooks entry', () => {
  it('lists every command with examples on --help', async () => {
    const run = await cli(['--help'])
    expect(run.code).toBe(0)
    for (const command of ['serve', 'check', 'send', 'trigger', 'sign', 'replay', 'events', 'fixtures'])
      expect(run.stdout).toContain(`  ${command} `)
    expect(run.stdout).toContain(
      'Exit codes: 0 ok, 1 a check or request failed, 2 usage or configuration error.',
    )
  })

  it('prints the help to stderr and exits 2 without a command', async () => {
    const run = await cli([])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Usage: aghanim-webhooks <command>')
  })

  it.each(['sign', 'send', 'trigger', 'check', 'replay', 'events', 'fixtures'])(
    'shows usage and examples for `%s --help`',
    async (command) => {
      const run = await cli([command, '--help'])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`Usage: aghanim-webhooks ${command}`)
      expect(run.stdout).toContain('Examples:')
      expect(await cli(['help', command])).toEqual(run)
    },
  )

  it('prints the package version', async () => {
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('suggests the closest command for a typo and exits 2', async () => {
    const run = await cli(['snd'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Unknown command "snd". Did you mean send?')
  })

  it('turns an unknown option into a usage error that points at the command help', async () => {
    const run = await cli(['events', '--colour'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("Unknown option '--colour'")
    expect(run.stderr).toContain('aghanim-webhooks events --help')
  })
})

describe('colours and progress', () => {
  const ESC = '\u001b['

  it('uses no colour when output is not a terminal', async () => {
    expect((await cli(['events'])).stdout).not.toContain(ESC)
  })

  it('colours a terminal', async () => {
    expect((await cli(['events'], { tty: true, env: { TERM: 'xterm' } })).stdout).toContain(ESC)
  })

  it('honours NO_COLOR on a terminal', async () => {
    expect((await cli(['events'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC)
  })

  it('colours a pipe when FORCE_COLOR asks for it', async () => {
    expect((await cli(['events'], { env: { FORCE_COLOR: '1' } })).stdout).toContain(ESC)
  })

  it('shows a progress line on a terminal only, and never in stdout', async () => {
    const receiver = await startLibraryReceiver('s')
    try {
      const argv = [
        'send',
        'player.verify',
        '--url',
        receiver.url,
        '--secret',
        's',
        '--player',
        'testplayer',
        '--repeat',
        '2',
      ]
      const piped = await cli(argv)
      expect(piped.stderr).toBe('')
      const terminal = await cli(argv, { tty: true, env: { TERM: 'xterm' } })
      expect(terminal.stderr).toContain('[1/2] POST')
      expect(terminal.stdout).not.toContain('[1/2]')
    } finally {
      await receiver.close()
    }
  })
})

describe('docs/cli.md', () => {
  it('describes every check by its id', async () => {
    const docs = await readFile(new URL('../../../docs/cli.md', import.meta.url), 'utf8')
    const missing = allChecks.map((check) => check.id).filter((id) => !docs.includes(`| \`${id}\` |`))
    expect(missing).toEqual([])
  })
})
