import { matchesPattern } from 'aghanim-webhooks'

/** `*`, an event type (`item.add`) or a family (`item.*`): the syntax of `--events` and of `--forward-to` routes. */
const PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/

/**
 * Parses a listener's `events` filter (`item.*,player.verify`); empty or absent takes every event. Returns the
 * patterns, or throws a `RangeError` naming the first one that is not a pattern. Internal.
 *
 * @example parseEventFilter('item.*, player.verify') // ['item.*', 'player.verify']
 */
export function parseEventFilter(value: string | null | undefined): string[] {
  const patterns = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
  const bad = patterns.find((pattern) => !PATTERN.test(pattern))
  if (bad !== undefined)
    throw new RangeError(
      `events: ${JSON.stringify(bad)} is not an event type (item.add), a family (item.*) or *.`,
    )
  return patterns.includes('*') ? [] : patterns
}

/** Whether a filter from `parseEventFilter` takes this event type (an empty filter takes all). Internal. */
export function filterTakes(patterns: readonly string[], eventType: string): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(pattern, eventType))
}
