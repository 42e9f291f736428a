import { describe, expect, it } from 'vitest'
import {
  emptyFilters,
  filtersFromParams,
  filtersToParams,
  hasFilters,
  matchesFilters,
} from '../inspector/src/filters.js'
import { prettyBody, toMillis } from '../inspector/src/format.js'
import { deliveryHref, parseRoute, playerHref } from '../inspector/src/route.js'
import type { DeliverySummary } from '../inspector/src/types.js'

const delivery: DeliverySummary = {
  id: 'dlv_1',
  received_at: '2026-01-02T10:00:00.000Z',
  event_type: 'item.add',
  event_id: 'whevt_1',
  key: 'idmpt_1',
  player_id: 'testplayer',
  outcome: 'ok',
  status: 200,
  duration_ms: 3,
  attempt: 1,
  duplicate: false,
  replay_of: null,
  method: 'POST',
  path: '/webhook',
}

describe('the inspector’s filters', () => {
  it('let every delivery through when empty', () => {
    expect(hasFilters(emptyFilters())).toBe(false)
    expect(matchesFilters(delivery, emptyFilters())).toBe(true)
  })

  it('match a live delivery on each field the API filters on', () => {
    const only = (patch: Partial<ReturnType<typeof emptyFilters>>) => ({ ...emptyFilters(), ...patch })
    expect(matchesFilters(delivery, only({ type: 'item.add', outcome: 'ok', status: '200' }))).toBe(true)
    expect(matchesFilters(delivery, only({ type: 'item.remove' }))).toBe(false)
    expect(matchesFilters(delivery, only({ outcome: 'signature_mismatch' }))).toBe(false)
    expect(matchesFilters(delivery, only({ status: '403' }))).toBe(false)
    expect(matchesFilters(delivery, only({ player: 'someone-else' }))).toBe(false)
    expect(matchesFilters(delivery, only({ key: 'idmpt_2' }))).toBe(false)
  })

  it('keep a delivery inside the time range and drop one outside it', () => {
    const range = { ...emptyFilters(), since: '2026-01-02T09:00:00.000Z', until: '2026-01-02T11:00:00.000Z' }
    expect(matchesFilters(delivery, range)).toBe(true)
    expect(matchesFilters(delivery, { ...range, since: '2026-01-02T10:00:01.000Z' })).toBe(false)
    expect(matchesFilters(delivery, { ...range, until: '2026-01-02T09:59:59.000Z' })).toBe(false)
    // `until` is exclusive, as in the server's query: a reload would not show it either.
    expect(matchesFilters(delivery, { ...range, until: '2026-01-02T10:00:00.000Z' })).toBe(false)
    expect(matchesFilters(delivery, { ...range, since: '2026-01-02T10:00:00.000Z' })).toBe(true)
  })

  it('round-trip through the URL, leaving empty ones out', () => {
    const filters = { ...emptyFilters(), type: 'item.add', player: 'p 1' }
    const params = filtersToParams(filters)
    expect(params.toString()).toBe('type=item.add&player=p+1')
    expect(filtersFromParams(params)).toEqual(filters)
  })
})

describe('the inspector’s routes', () => {
  it('open the list by default, with its filters', () => {
    expect(parseRoute('').view).toBe('deliveries')
    const route = parseRoute('#/deliveries?outcome=ok')
    expect(route.view === 'deliveries' && route.params.get('outcome')).toBe('ok')
  })

  it('round-trip ids that need escaping', () => {
    const id = 'player/with spaces?&#'
    expect(parseRoute(playerHref(id))).toMatchObject({ view: 'player', id })
    expect(parseRoute(deliveryHref('dlv 9'))).toEqual({ view: 'delivery', id: 'dlv 9' })
  })

  it('carry a player’s game and sandbox ledger, and nothing when there is none', () => {
    const route = parseRoute(playerHref('p 1', { game: 'gm_a', sandbox: true }))
    expect(route.view === 'player' && [route.id, route.params.toString()]).toEqual([
      'p 1',
      'game=gm_a&sandbox=true',
    ])
    const plain = parseRoute(playerHref('p1', { game: null, sandbox: false }))
    expect(plain.view === 'player' && plain.params.toString()).toBe('')
  })

  it('survive a malformed escape in a hand-typed URL', () => {
    expect(parseRoute('#/players/%E0%A4%A')).toMatchObject({ view: 'player', id: '%E0%A4%A' })
  })
})

describe('the inspector’s formatting', () => {
  it('pretty-prints JSON bodies and leaves anything else exactly as received', () => {
    expect(prettyBody('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}')
    expect(prettyBody('not json <b>')).toBe('not json <b>')
  })

  it('reads ISO text, epoch milliseconds and epoch seconds as the same instant', () => {
    const at = Date.parse('2026-01-02T10:00:00.000Z')
    expect(toMillis('2026-01-02T10:00:00.000Z')).toBe(at)
    expect(toMillis(at)).toBe(at)
    expect(toMillis(at / 1000)).toBe(at)
    expect(toMillis('garbage')).toBeUndefined()
  })
})
