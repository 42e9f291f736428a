import { formatMs } from '../format.js'
import type { Check } from './check.js'
import { is4xx } from './verdict.js'

/** Checks over every answer the run collected, so they run last. */
export const summaryChecks: Check[] = [
  {
    id: 'time-budget',
    title: 'answers every request within the time budget',
    async run(probe) {
      const budget = probe.settings.timeoutMs
      const expected = `every answer within ${formatMs(budget)}`
      const late = probe.answers.filter(({ outcome }) => outcome.kind === 'timeout')
      if (late.length > 0) {
        const checks = [...new Set(late.map(({ check }) => check))].join(', ')
        return {
          result: 'fail',
          expected,
          got: `${late.length} without an answer in time (${checks})`,
          note: 'Aghanim gives up on slow answers and retries; keep work after the answer or make it fast.',
        }
      }
      const slowest = probe.answers.reduce(
        (max, entry) => (entry.outcome.ms > max.outcome.ms ? entry : max),
        probe.answers[0]!,
      )
      return { result: 'pass', expected, got: `slowest ${formatMs(slowest.outcome.ms)} (${slowest.check})` }
    },
  },
  {
    id: 'error-bodies',
    title: 'explains refusals with a JSON error body',
    async run(probe) {
      const expected = '4xx bodies like {"status":"error","code","message"}'
      const refusals = probe.answers.filter(({ outcome }) => is4xx(outcome))
      if (refusals.length === 0) return { result: 'skip', expected, got: 'no 4xx answers to judge' }
      const bare = refusals.filter(
        ({ outcome }) =>
          outcome.kind !== 'answer' || typeof outcome.json !== 'object' || outcome.json === null,
      )
      if (bare.length === 0)
        return { result: 'pass', expected, got: `${refusals.length} of ${refusals.length} JSON` }
      const names = [...new Set(bare.map(({ check }) => check))]
      const checks = names.length > 4 ? `${names.slice(0, 4).join(', ')}, …` : names.join(', ')
      return {
        result: 'warn',
        expected,
        got: `${bare.length} of ${refusals.length} not JSON (${checks})`,
        note: 'Aghanim shows denial payloads (player.verify); a JSON reason also makes the logs useful.',
      }
    },
  },
]
