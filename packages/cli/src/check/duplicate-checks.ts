import { catalogue } from 'aghanim-webhooks'
import type { Check } from './check.js'
import { encode, event, nowSeconds, type Probe, send } from './probe.js'
import type { RawOutcome } from './raw-request.js'
import { describeOutcome, failureNote, is2xx, type Verdict } from './verdict.js'

/** The item check grants: one unit of --sku, so a double grant shows as a balance rising by 2. */
function grantBody(probe: Probe): Uint8Array {
  const item = {
    ...catalogue['item.add'].fixture.items[0]!,
    sku: probe.settings.sku,
    name: probe.settings.sku,
    quantity: 1,
  }
  return encode(event(probe, 'item.add', { items: [item], reason: 'aghanim-webhooks check' }))
}

// Balance entries document only `sku`; these are the amount field names endpoints use in practice.
const AMOUNT_FIELDS = ['amount', 'quantity', 'balance', 'value', 'count']

/**
 * The player's balance of --sku per player.verify's `balances`: undefined when there are no balances to
 * read, null when they are there but do not list the SKU (yet).
 */
async function observeBalance(probe: Probe): Promise<number | null | undefined> {
  const outcome = await send(probe, encode(event(probe, 'player.verify')))
  if (outcome.kind !== 'answer' || !is2xx(outcome)) return undefined
  const balances = (outcome.json as { balances?: unknown } | undefined)?.balances
  if (!Array.isArray(balances)) return undefined
  const entry = balances.find((balance) => (balance as { sku?: unknown })?.sku === probe.settings.sku) as
    | Record<string, unknown>
    | undefined
  if (!entry) return null
  const field = AMOUNT_FIELDS.find((name) => typeof entry[name] === 'number')
  return field === undefined ? undefined : (entry[field] as number)
}

function grantedBetween(
  before: number | null | undefined,
  after: number | null | undefined,
): number | undefined {
  // A SKU absent before and after says nothing (balances may list currencies only); absent before means 0.
  if (before === undefined || after === undefined || after === null) return undefined
  return after - (before ?? 0)
}

function sameAnswer(a: RawOutcome, b: RawOutcome): boolean {
  if (a.kind !== 'answer' || b.kind !== 'answer' || a.status !== b.status) return false
  if (a.body === b.body) return true
  // Key order or whitespace may differ between a fresh answer and a stored one; the JSON value may not.
  return a.json !== undefined && JSON.stringify(sortKeys(a.json)) === JSON.stringify(sortKeys(b.json))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, item]) => [key, sortKeys(item)]),
  )
}

/** Two deliveries of one item.add (one after the other, or at once): both 2xx, the same answer. */
function duplicateCheck(
  id: string,
  title: string,
  deliverTwice: (probe: Probe, body: Uint8Array, timestamp: string) => Promise<[RawOutcome, RawOutcome]>,
): Check {
  return {
    id,
    title,
    async run(probe) {
      const before = await observeBalance(probe)
      const [first, second] = await deliverTwice(probe, grantBody(probe), nowSeconds(probe))
      const after = await observeBalance(probe)
      probe.grants.push({ check: id, sent: 1, observed: grantedBetween(before, after) })
      return compareDuplicates(probe, first, second)
    },
  }
}

function compareDuplicates(probe: Probe, first: RawOutcome, second: RawOutcome): Verdict {
  const expected = 'two identical 2xx answers'
  const got = `${describeOutcome(first)}, then ${describeOutcome(second)}`
  if (!is2xx(first) && !is2xx(second)) {
    const hint = `item.add of sku ${probe.settings.sku} for player ${probe.settings.player} must be accepted (set --player / --sku to ones the endpoint knows).`
    return { result: 'fail', expected, got, note: failureNote(first) ?? hint }
  }
  if (!is2xx(first) || !is2xx(second)) {
    return {
      result: 'fail',
      expected,
      got,
      note: 'a duplicate must get the first answer again, never an error: an error makes Aghanim retry.',
    }
  }
  if (!sameAnswer(first, second)) {
    return {
      result: 'fail',
      expected,
      got: `${got}, different bodies`,
      note: 'a duplicate must get the first answer again (status and body): it looks processed twice.',
    }
  }
  return { result: 'pass', expected, got: `${got}, identical` }
}

/** item.add exactly once: duplicates, one after the other or at once, get the first answer and grant nothing. */
export const duplicateChecks: Check[] = [
  duplicateCheck(
    'item-add-duplicate',
    'answers a repeated item.add with the first answer',
    async (probe, body, timestamp) => {
      const first = await send(probe, body, { timestamp })
      return [first, await send(probe, body, { timestamp })]
    },
  ),
  duplicateCheck(
    'item-add-concurrent',
    'answers two concurrent identical item.add identically',
    async (probe, body, timestamp) =>
      Promise.all([send(probe, body, { timestamp }), send(probe, body, { timestamp })]),
  ),
  {
    id: 'item-add-grants-once',
    title: 'grants once per idempotency key',
    async run(probe) {
      const expected = 'balance up by 1 per pair of duplicates'
      if (probe.grants.length === 0 || probe.grants.some((grant) => grant.observed === undefined)) {
        return {
          result: 'skip',
          expected,
          got: `no balance for ${probe.settings.sku} in player.verify's balances`,
          note: 'grants are not observable from outside; the answers above are all check can judge.',
        }
      }
      const got = probe.grants.map((grant) => `${grant.check} +${grant.observed}`).join(', ')
      const twice = probe.grants.find((grant) => grant.observed! > grant.sent)
      if (twice)
        return {
          result: 'fail',
          expected,
          got,
          note: `one item.add delivered twice was granted ${twice.observed} times: duplicates must not grant again.`,
        }
      const missing = probe.grants.find((grant) => grant.observed! < grant.sent)
      if (missing)
        return {
          result: 'warn',
          expected,
          got,
          note: 'an acknowledged grant is not in the balance (yet): a 2xx must mean the grant is committed.',
        }
      return { result: 'pass', expected, got }
    },
  },
]
