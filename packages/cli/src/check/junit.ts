import type { Check } from './check.js'
import type { CheckReport } from './run-checks.js'

/** A finished check and how long it took, for the JUnit report. */
export interface TimedReport extends CheckReport {
  ms: number
}

/**
 * The run as JUnit XML, the report format CI systems display (GitHub, GitLab, Jenkins, Azure, CircleCI):
 * one `<testcase>` per check; `fail` is a `<failure>` (expected vs got), `skip` is `<skipped>`, `warn`
 * passes with the warning in `<system-out>`, and a check the run never reached (the endpoint stopped
 * answering) is an `<error>`.
 *
 * @example junitXml('http://localhost:8000/webhook', reports, allChecks, new Date())
 */
export function junitXml(
  url: string,
  reports: readonly TimedReport[],
  checks: readonly Check[],
  at: Date,
): string {
  const cases = checks.map((check) => {
    const report = reports.find((entry) => entry.id === check.id)
    return report ? reportCase(report) : notRunCase(check)
  })
  const count = (result: string) => reports.filter((report) => report.result === result).length
  const seconds = (reports.reduce((total, report) => total + report.ms, 0) / 1000).toFixed(3)
  const totals = attributes({
    tests: checks.length,
    failures: count('fail'),
    errors: checks.length - reports.length,
    skipped: count('skip'),
    time: seconds,
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({ name: 'aghanim-webhooks check' })} ${totals}>`,
    `  <testsuite ${attributes({ name: `aghanim-webhooks check ${url}`, timestamp: at.toISOString() })} ${totals}>`,
    ...cases.map((lines) => lines.map((line) => `    ${line}`).join('\n')),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

function reportCase(report: TimedReport): string[] {
  const open = `<testcase ${attributes({ classname: 'aghanim-webhooks.check', name: report.title, time: (report.ms / 1000).toFixed(3) })}`
  const detail = `${report.id}: expected ${report.expected}, got ${report.got}${report.note ? `\n${report.note}` : ''}`
  switch (report.result) {
    case 'pass':
      return [`${open} />`]
    case 'fail':
      return [
        `${open}>`,
        `  <failure ${attributes({ type: report.id, message: `expected ${report.expected}, got ${report.got}` })}>${text(detail)}</failure>`,
        '</testcase>',
      ]
    case 'warn':
      return [`${open}>`, `  <system-out>${text(`warning: ${detail}`)}</system-out>`, '</testcase>']
    case 'skip':
      return [`${open}>`, `  <skipped ${attributes({ message: report.got })} />`, '</testcase>']
  }
}

function notRunCase(check: Check): string[] {
  return [
    `<testcase ${attributes({ classname: 'aghanim-webhooks.check', name: check.title, time: '0.000' })}>`,
    `  <error ${attributes({ type: 'not-run', message: 'not run: the endpoint stopped answering' })} />`,
    '</testcase>',
  ]
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${text(String(value)).replaceAll('"', '&quot;')}"`)
    .join(' ')
}

// Escapes markup and drops the characters XML 1.0 cannot carry at all (an endpoint's answer may hold any).
function text(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
}
