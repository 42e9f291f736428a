import { api, isUnauthorized } from '../api.js'
import { deliveriesChart } from '../chart.js'
import { h, replaceChildren } from '../dom.js'
import {
  emptyFilters,
  type Filters,
  filtersFromParams,
  filtersToParams,
  hasFilters,
  matchesFilters,
} from '../filters.js'
import { isoToLocalInput, localInputToIso } from '../format.js'
import { deliveriesHref } from '../route.js'
import type { DeliverySummary, Games } from '../types.js'
import { deliveryRow, deliveryTable } from './delivery-table.js'
import { emptyState, errorPanel, loading, type View } from './parts.js'

const PAGE_SIZE = 50
const MAX_ROWS = 500
const CHART_MINUTES = 60
const COMMON_TYPES = [
  'player.verify',
  'item.add',
  'item.remove',
  'store.get',
  'order.paid',
  'payment.succeeded',
]

/** The home view: the per-minute chart, the filters and the list of deliveries, newest first, live. */
export function deliveriesView(params: URLSearchParams): View {
  return (root, context) => {
    const filters = filtersFromParams(params)
    // The game picker's choices; a server without the route, or of one unnamed game, has none to pick.
    const games = api.games().catch((): Games => ({ games: [], sandbox: 'accept' }))
    const chartBox = h('div', { class: 'chart-box' }, loading('the chart'))
    const listBox = h('div', { class: 'list-box', 'aria-live': 'polite' }, loading('deliveries'))
    const seenTypes = new Set(COMMON_TYPES)
    const seenOutcomes = new Set(['ok'])
    const typeList = h('datalist', { id: 'known-types' })
    const outcomeList = h('datalist', { id: 'known-outcomes' })
    let rows: HTMLTableSectionElement | undefined
    let cursor: string | null = null
    let stopped = false

    const remember = (deliveries: readonly DeliverySummary[]) => {
      for (const delivery of deliveries) {
        if (delivery.event_type) seenTypes.add(delivery.event_type)
        seenOutcomes.add(delivery.outcome)
      }
      replaceChildren(
        typeList,
        [...seenTypes].sort().map((type) => h('option', { value: type })),
      )
      replaceChildren(
        outcomeList,
        [...seenOutcomes].sort().map((outcome) => h('option', { value: outcome })),
      )
    }

    const fail = (error: unknown, retry: () => void, box: HTMLElement) => {
      if (isUnauthorized(error)) context.unauthorized()
      else replaceChildren(box, errorPanel(error, retry))
    }

    const loadChart = async () => {
      try {
        const stats = await api.stats(CHART_MINUTES)
        if (!stopped) replaceChildren(chartBox, deliveriesChart(stats.minutes, CHART_MINUTES))
      } catch (error) {
        if (!stopped) fail(error, loadChart, chartBox)
      }
    }

    const query = () => ({ ...Object.fromEntries(filtersToParams(filters)), limit: PAGE_SIZE })

    const loadList = async () => {
      try {
        const page = await api.deliveries(query())
        if (stopped) return
        remember(page.deliveries)
        cursor = page.next_cursor
        renderList(page.deliveries)
      } catch (error) {
        if (!stopped) fail(error, loadList, listBox)
      }
    }

    const moreButton = h(
      'button',
      { type: 'button', class: 'button', onclick: () => void loadMore() },
      'Load older',
    )
    const loadMore = async () => {
      if (!cursor || !rows) return
      moreButton.setAttribute('disabled', '')
      try {
        const page = await api.deliveries({ ...query(), cursor })
        remember(page.deliveries)
        cursor = page.next_cursor
        for (const delivery of page.deliveries) rows.append(deliveryRow(delivery))
        moreButton.hidden = !cursor
      } catch (error) {
        if (isUnauthorized(error)) context.unauthorized()
      } finally {
        moreButton.removeAttribute('disabled')
      }
    }

    const renderList = (deliveries: DeliverySummary[]) => {
      backlog = 0
      if (deliveries.length === 0) {
        rows = undefined
        replaceChildren(listBox, emptyList(filters))
        return
      }
      const table = deliveryTable('Deliveries, newest first', deliveries)
      rows = table.tBodies[0]
      moreButton.hidden = !cursor
      replaceChildren(
        listBox,
        h('div', { class: 'table-scroll' }, table),
        h('div', { class: 'more' }, moreButton),
      )
    }

    let chartTimer: ReturnType<typeof setTimeout> | undefined
    const unsubscribe = context.onLiveDelivery((delivery) => {
      // The chart counts every delivery; refresh it at most every few seconds under a burst.
      chartTimer ??= setTimeout(() => {
        chartTimer = undefined
        void loadChart()
      }, 2000)
      if (!matchesFilters(delivery, filters)) return
      remember([delivery])
      if (!rows) renderList([delivery])
      else if (rows.rows.length < MAX_ROWS) rows.prepend(deliveryRow(delivery, true))
      else showBacklog()
    })

    // Under a sustained burst the table would grow without bound: past MAX_ROWS the page counts what it did not
    // insert and offers to reload the newest page instead.
    let backlog = 0
    const backlogNote = h('p', { class: 'backlog', role: 'status' })
    const showBacklog = () => {
      backlog += 1
      replaceChildren(
        backlogNote,
        `${backlog} newer ${backlog === 1 ? 'delivery' : 'deliveries'} not shown. `,
        h('button', { type: 'button', class: 'button', onclick: () => void loadList() }, 'Show newest'),
      )
      if (!backlogNote.isConnected) listBox.prepend(backlogNote)
    }
    const chartInterval = setInterval(() => void loadChart(), 60_000)

    replaceChildren(
      root,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'chart-title' },
        h('h2', { id: 'chart-title' }, `Deliveries per minute, last ${CHART_MINUTES} minutes`),
        chartBox,
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'list-title' },
        h('h2', { id: 'list-title' }, 'Deliveries'),
        filterForm(filters, games),
        typeList,
        outcomeList,
        listBox,
      ),
    )
    void loadChart()
    void loadList()
    return () => {
      stopped = true
      unsubscribe()
      clearInterval(chartInterval)
      clearTimeout(chartTimer)
    }
  }
}

function emptyList(filters: Filters): HTMLElement {
  if (hasFilters(filters)) {
    return emptyState(
      'No deliveries match these filters.',
      h('p', null, h('a', { href: deliveriesHref() }, 'Show all deliveries')),
    )
  }
  return emptyState(
    'No deliveries yet.',
    h(
      'p',
      null,
      'They appear here as soon as Aghanim (or you) sends one. Try: ',
      h('code', null, 'npx aghanim-webhooks send player.verify --url <webhook URL> --secret <secret>'),
    ),
  )
}

function choice(
  name: keyof Filters,
  label: string,
  value: string,
  options: readonly (readonly [string, string])[],
): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', null, label),
    h(
      'select',
      { name },
      options.map(([option, text]) => h('option', { value: option, selected: option === value }, text)),
    ),
  )
}

/** Every game, or one: shown once the server has named its games (none with one unnamed game). */
function gamePicker(value: string, games: Promise<Games>): HTMLElement {
  const picker = choice('game', 'Game', value, [
    ['', 'all games'],
    ...(value ? [[value, value] as const] : []),
  ])
  picker.hidden = !value
  void games.then((served) => {
    if (served.games.length === 0) return
    const select = picker.querySelector('select')!
    replaceChildren(
      select,
      [['', 'all games'] as const, ...served.games.map((game) => [game, game] as const)].map(
        ([option, text]) => h('option', { value: option, selected: option === value }, text),
      ),
    )
    picker.hidden = false
  })
  return picker
}

function filterForm(filters: Filters, games: Promise<Games>): HTMLFormElement {
  const field = (name: keyof Filters, label: string, attributes: Record<string, string> = {}) =>
    h(
      'label',
      { class: 'field' },
      h('span', null, label),
      h('input', {
        name,
        value: name === 'since' || name === 'until' ? isoToLocalInput(filters[name]) : filters[name],
        autocomplete: 'off',
        ...attributes,
      }),
    )
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter deliveries',
      onsubmit: (event: Event) => {
        event.preventDefault()
        const data = new FormData(form)
        const next = emptyFilters()
        for (const name of Object.keys(next) as (keyof Filters)[]) {
          const value = String(data.get(name) ?? '').trim()
          next[name] = name === 'since' || name === 'until' ? (value ? localInputToIso(value) : '') : value
        }
        const target = deliveriesHref(filtersToParams(next))
        // Applying the same filters again reloads the list, as a user pressing Apply expects.
        if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'))
        else location.hash = target
      },
    },
    field('type', 'Event type', { list: 'known-types', placeholder: 'any' }),
    field('outcome', 'Outcome', { list: 'known-outcomes', placeholder: 'any' }),
    field('status', 'Status', {
      inputmode: 'numeric',
      pattern: '[1-5][0-9][0-9]',
      placeholder: 'any',
      size: '4',
    }),
    field('player', 'Player', { placeholder: 'any' }),
    field('key', 'Idempotency key', { placeholder: 'any' }),
    gamePicker(filters.game, games),
    choice('sandbox', 'Sandbox', filters.sandbox, [
      ['', 'live and sandbox'],
      ['false', 'live only'],
      ['true', 'sandbox only'],
    ]),
    field('since', 'Since', { type: 'datetime-local' }),
    field('until', 'Until', { type: 'datetime-local' }),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Apply'),
      hasFilters(filters) ? h('a', { class: 'button', href: deliveriesHref() }, 'Clear') : null,
    ),
  )
  return form
}
