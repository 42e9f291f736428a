import { runCli } from '@aghanim-webhooks/cli'

export const SECRET = 'whsec_runtime_tests'

interface CheckJson {
  ok: boolean
  counts: Record<'pass' | 'warn' | 'fail' | 'skip', number>
  checks: { id: string; result: string; expected: string; got: string; note?: string }[]
}

/**
 * Runs `aghanim-webhooks check URL --json` in-process and returns its report, with the failed checks named
 * (id: expected vs got) so a failing test says what the runtime got wrong.
 */
export async function checkEndpoint(url: string): Promise<CheckJson & { failures: string[]; code: number }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['check', url, '--json', '--secret', SECRET], {
    env: {},
    cwd: process.cwd(),
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
  })
  if (!stdout.trim()) throw new Error(`check printed nothing (exit ${code}):\n${stderr}`)
  const report = JSON.parse(stdout) as CheckJson
  const failures = report.checks
    .filter((check) => check.result === 'fail')
    .map((check) => `${check.id}: expected ${check.expected}, got ${check.got}`)
  return { ...report, failures, code }
}
