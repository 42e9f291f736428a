import { bodyChecks, timestampChecks } from './body-checks.js'
import type { Check } from './check.js'
import { duplicateChecks } from './duplicate-checks.js'
import { playerChecks } from './player-checks.js'
import { type CheckSettings, createProbe } from './probe.js'
import { signatureChecks } from './signature-checks.js'
import { summaryChecks } from './summary-checks.js'
import type { Verdict } from './verdict.js'

/** The whole battery, in the order it runs and prints. */
export const allChecks: readonly Check[] = [
  ...signatureChecks,
  ...timestampChecks,
  ...bodyChecks,
  ...playerChecks,
  ...duplicateChecks,
  ...summaryChecks,
]

export interface CheckReport extends Verdict {
  id: string
  title: string
}

/** Listens to the run: progress display and one printed line per check. */
export interface CheckObserver {
  start?(check: Check, index: number): void
  done?(report: CheckReport, index: number): void
}

/**
 * Runs every check in order against one endpoint; checks run one at a time (only the concurrency check sends
 * in parallel) so an endpoint's answer depends on one request at a time.
 *
 * @example const reports = await runChecks({ url, secret, player: 'testplayer', sku: 'crystals', timeoutMs: 3000, now: Date.now })
 */
export async function runChecks(
  settings: CheckSettings,
  observer: CheckObserver = {},
  checks: readonly Check[] = allChecks,
): Promise<CheckReport[]> {
  const probe = createProbe(settings)
  const reports: CheckReport[] = []
  for (const [index, check] of checks.entries()) {
    probe.current = check.id
    observer.start?.(check, index)
    let verdict: Verdict
    try {
      verdict = await check.run(probe)
    } catch (error) {
      // A bug in a check must not hide the others' results.
      verdict = {
        result: 'fail',
        expected: 'the check to run',
        got: `internal error: ${(error as Error).message}`,
      }
    }
    const report = { id: check.id, title: check.title, ...verdict }
    reports.push(report)
    observer.done?.(report, index)
    // Nothing answered the first check at all: every other line would say the same, so stop here.
    if (probe.answers.length > 0 && probe.answers.every(({ outcome }) => outcome.kind === 'unreachable'))
      break
  }
  return reports
}
