import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'

// The rules live in .dependency-cruiser.cjs (one source, also read by `npx depcruise packages`); this test runs
// dependency-cruiser over every package, sources and tests, and gives each rule its own verdict.
const root = fileURLToPath(new URL('..', import.meta.url))
const depcruise = fileURLToPath(
  new URL('../node_modules/dependency-cruiser/bin/dependency-cruiser.mjs', import.meta.url),
)

interface Rule {
  name: string
  comment: string
}
interface Violation {
  rule: { name: string }
  from: string
  to: string
  cycle?: { name: string }[]
}
interface CruiseResult {
  modules: { source: string }[]
  summary: { violations: Violation[] }
}

const load = createRequire(import.meta.url)
const { forbidden: rules } = load('../.dependency-cruiser.cjs') as { forbidden: Rule[] }
const { workspaces } = load('../package.json') as { workspaces: string[] }

async function cruise(): Promise<CruiseResult> {
  // depcruise exits non-zero when a rule is broken; its JSON report is on stdout either way.
  const stdout = await promisify(execFile)(
    process.execPath,
    [depcruise, 'packages', '--output-type', 'json'],
    {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    },
  ).then(
    (done) => done.stdout,
    (failed: { stdout?: string }) => {
      if (!failed.stdout) throw failed
      return failed.stdout
    },
  )
  return JSON.parse(stdout) as CruiseResult
}

function describeViolation(violation: Violation): string {
  const path = violation.cycle
    ? [violation.from, ...violation.cycle.map((step) => step.name)]
    : [violation.from, violation.to]
  return path.join(' → ')
}

describe('the dependency rules', () => {
  let result: CruiseResult
  beforeAll(async () => {
    result = await cruise()
  }, 120_000)

  it('are checked against every package', () => {
    const cruised = new Set(result.modules.map((module) => module.source))
    for (const workspace of workspaces) expect(cruised).toContain(`${workspace}/src/index.ts`)
    expect(cruised).toContain('packages/server/inspector/src/main.ts')
  })

  for (const rule of rules)
    it(rule.comment, () => {
      const broken = result.summary.violations.filter((violation) => violation.rule.name === rule.name)
      expect(broken.map(describeViolation), rule.name).toEqual([])
    })
})
