import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { integerOption, requireSecret, requireUrl } from '../args.js'
import { junitXml, type TimedReport } from '../check/junit.js'
import { allChecks, type CheckReport, runChecks } from '../check/run-checks.js'
import type { Result } from '../check/verdict.js'
import { type CommandContext, type CommandInput, defineCommand, type OptionSpecs } from '../command.js'
import { formatMs, toJson } from '../format.js'
import { exitCodes, UsageError } from '../io.js'
import { createProgress } from '../progress.js'
import { jsonOption, secretOption, timeoutOption, valueOption } from '../shared-options.js'
import type { Style } from '../style.js'

const LABELS: Record<Result, (style: Style) => string> = {
  pass: (style) => style.green('pass'),
  warn: (style) => style.yellow('warn'),
  fail: (style) => style.red(style.bold('FAIL')),
  skip: (style) => style.dim('skip'),
}

const options = {
  secret: secretOption('the webhook secret the endpoint verifies with'),
  game: valueOption(
    'G',
    "the game id every delivery names (game_id), for an endpoint of several games: S is G's secret",
  ),
  player: valueOption(
    'P',
    'a player the endpoint knows, for player.verify and item.add (default: testplayer)',
    { default: 'testplayer' },
  ),
  sku: valueOption('X', 'the SKU item.add grants (default: crystals)', { default: 'crystals' }),
  timeout: timeoutOption('time budget per answer', 3000),
  only: valueOption('IDS', 'run only these checks, comma-separated (ids as in --json)'),
  json: jsonOption('print { ok, counts, checks: [{ id, title, result, expected, got, note }] }'),
  junit: valueOption(
    'FILE',
    'also write a JUnit XML report to FILE (one test case per check), for CI to display',
  ),
} as const satisfies OptionSpecs
type Input = CommandInput<typeof options>

export const command = defineCommand({
  title: 'Run a conformance battery against any Aghanim webhook endpoint, in any language.',
  usage:
    'aghanim-webhooks check <URL> --secret S [--game G] [--player P] [--sku X] [--timeout MS] [--json] [--junit FILE]',
  about: `Sends ${allChecks.length} kinds of deliveries (signed right and wrong, malformed, stale, oversized, duplicated,
concurrent) and prints one line per check: pass, warn, fail (expected vs got) or skip (nothing to judge).
It needs nothing but HTTP: no access to your code, logs or database. The endpoint must know player P and
accept item.add of one unit of sku X for them (check grants it a few times). Read docs/cli.md for what
each check proves.

Exit code 0 when no check failed (warnings allowed), 1 when one did, 2 on a usage error.`,
  options,
  optionColumn: 18,
  examples: [
    'aghanim-webhooks check http://localhost:8000/webhook --secret test_secret',
    'aghanim-webhooks check https://api.example.com/aghanim --player qa-player-1 --sku gems --json',
    'aghanim-webhooks check $URL --only signature-short,body-invalid-json',
    'aghanim-webhooks check $URL --game gm_a --secret "$GM_A_SECRET"',
    'aghanim-webhooks check $STAGING_URL --junit reports/aghanim-check.xml',
  ],
  run,
})

async function run({ values, positionals }: Input, { io, style, now }: CommandContext): Promise<number> {
  if (positionals.length !== 1)
    throw new UsageError('check takes one URL, e.g. check http://localhost:8000/webhook')
  const url = requireUrl(positionals[0], 'URL')
  const settings = {
    url,
    secret: requireSecret(values.secret),
    player: values.player,
    sku: values.sku,
    ...(values.game === undefined ? {} : { game: checkGame(values.game) }),
    timeoutMs: integerOption(values.timeout, 'timeout', 1),
    now,
  }
  const checks = selectChecks(values.only)
  if (values.junit === '') throw new UsageError('--junit needs a file name, e.g. --junit check.xml')
  const junitFile = values.junit === undefined ? undefined : resolve(io.cwd, values.junit)

  const started = performance.now()
  const progress = createProgress(io, checks.length)
  if (!values.json) {
    io.stdout.write(
      `${style.bold(`Checking ${url.href}`)}  ${style.dim(`${settings.game ? `game ${settings.game}  ` : ''}player ${settings.player}  sku ${settings.sku}  budget ${formatMs(settings.timeoutMs)}`)}\n\n`,
    )
  }
  const titleWidth = Math.max(...checks.map((check) => check.title.length))
  const timed: TimedReport[] = []
  let checkStarted = 0
  const reports = await runChecks(
    settings,
    {
      start: (check, index) => {
        checkStarted = performance.now()
        progress.update(index, check.title)
      },
      done: (report) => {
        timed.push({ ...report, ms: performance.now() - checkStarted })
        if (!values.json) for (const line of reportLines(report, titleWidth, style)) progress.log(line)
      },
    },
    checks,
  )
  progress.end()
  if (junitFile) {
    await mkdir(dirname(junitFile), { recursive: true })
    await writeFile(junitFile, junitXml(url.href, timed, checks, new Date(now())))
  }

  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 }
  for (const report of reports) counts[report.result]++
  const ok = counts.fail === 0 && reports.length === checks.length
  if (values.json) {
    io.stdout.write(toJson({ url: url.href, ok, counts, checks: reports }))
  } else {
    if (reports.length < checks.length)
      io.stdout.write(`\n${style.red('Stopped:')} ${url.href} is not reachable.\n`)
    const elapsed = formatMs(performance.now() - started)
    const parts = [
      `${counts.pass} passed`,
      `${counts.warn} warning${counts.warn === 1 ? '' : 's'}`,
      `${counts.fail} failed`,
    ]
    if (counts.skip > 0) parts.push(`${counts.skip} skipped`)
    const line = `${reports.length} checks: ${parts.join(', ')} in ${elapsed}`
    io.stdout.write(`\n${ok ? style.green(line) : style.red(line)}\n`)
  }
  return ok ? exitCodes.ok : exitCodes.failed
}

function checkGame(game: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(game))
    throw new UsageError(
      `--game takes a game id such as gm_a (letters, digits, _ or -), got ${JSON.stringify(game)}.`,
    )
  return game
}

function selectChecks(only: string | undefined) {
  if (only === undefined) return allChecks
  const ids = only
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
  const unknown = ids.filter((id) => !allChecks.some((check) => check.id === id))
  if (unknown.length > 0 || ids.length === 0) {
    throw new UsageError(
      `Unknown check ${unknown.join(', ') || '(none given)'}. Checks: ${allChecks.map((check) => check.id).join(', ')}.`,
    )
  }
  return allChecks.filter((check) => ids.includes(check.id))
}

function reportLines(report: CheckReport, titleWidth: number, style: Style): string[] {
  const detail =
    report.result === 'pass' || report.result === 'skip'
      ? report.got
      : `expected ${report.expected}, got ${report.got}`
  const lines = [`${LABELS[report.result](style)}  ${report.title.padEnd(titleWidth)}  ${style.dim(detail)}`]
  if (report.note) lines.push(`      ${style.dim(`↳ ${report.id}: ${report.note}`)}`)
  return lines
}
