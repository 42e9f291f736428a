import { errorOf } from '../format.js'
import type { RawOutcome } from './raw-request.js'

/** pass / warn / fail as the issue defines them; skip when the endpoint gives nothing to judge by. */
export type Result = 'pass' | 'warn' | 'fail' | 'skip'

/** One line of the report. */
export interface Verdict {
  result: Result
  expected: string
  got: string
  /** Why it matters or what to fix, shown under the line. */
  note?: string
}

/** `403 signature_mismatch`, `500`, `dropped connection (socket hang up)`, `no answer within 3000 ms`. */
export function describeOutcome(outcome: RawOutcome): string {
  switch (outcome.kind) {
    case 'answer': {
      const code = errorOf(outcome.json)?.code
      return code ? `${outcome.status} ${code}` : String(outcome.status)
    }
    case 'dropped':
      return `dropped connection (${outcome.reason})`
    case 'unreachable':
      return `unreachable (${outcome.reason})`
    case 'timeout':
      return `no answer within ${outcome.budgetMs} ms`
  }
}

export const is2xx = (outcome: RawOutcome) =>
  outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300
export const is4xx = (outcome: RawOutcome) =>
  outcome.kind === 'answer' && outcome.status >= 400 && outcome.status < 500

const NO_ANSWER_NOTE =
  'the connection closed without an answer: the receiver crashed or killed the request. Aghanim retries, and a crash may take other requests down with it.'

/**
 * The endpoint must refuse this request with a 4xx. A 5xx (which makes Aghanim retry something that can
 * never succeed), a dropped connection or a timeout always fails; acceptance fails or warns as given.
 */
export function expectRejected(
  outcome: RawOutcome,
  onAccept: { result: 'fail' | 'warn'; note: string },
): Verdict {
  const got = describeOutcome(outcome)
  if (is4xx(outcome)) return { result: 'pass', expected: '4xx', got }
  if (is2xx(outcome))
    return { result: onAccept.result, expected: '4xx', got: `${got} (accepted)`, note: onAccept.note }
  return { result: 'fail', expected: '4xx', got, note: failureNote(outcome) }
}

/** The endpoint must accept this request with a 2xx. */
export function expectAccepted(outcome: RawOutcome, note: string): Verdict {
  const got = describeOutcome(outcome)
  if (is2xx(outcome)) return { result: 'pass', expected: '2xx', got }
  return { result: 'fail', expected: '2xx', got, note: failureNote(outcome) ?? note }
}

/** Anything but a 5xx or no answer: for requests where both accepting and refusing are defensible. */
export function expectNoServerError(outcome: RawOutcome, expected: string): Verdict {
  const got = describeOutcome(outcome)
  if (outcome.kind === 'answer' && outcome.status < 500) return { result: 'pass', expected, got }
  return { result: 'fail', expected, got, note: failureNote(outcome) }
}

export function failureNote(outcome: RawOutcome): string | undefined {
  if (outcome.kind === 'dropped') return NO_ANSWER_NOTE
  if (outcome.kind === 'timeout')
    return 'no answer in the time budget (--timeout): Aghanim gives up and retries.'
  if (outcome.kind === 'unreachable') return 'the endpoint could not be reached.'
  if (outcome.status >= 500)
    return 'bad input must get a 4xx: a 5xx tells Aghanim to retry a request that can never succeed.'
  if (outcome.status >= 300 && outcome.status < 400)
    return 'a redirect: Aghanim posts to the exact URL, point it at the final one.'
  return undefined
}
