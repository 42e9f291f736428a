import { h, s } from './dom.js'
import { formatMinute, toMillis } from './format.js'
import type { MinuteCounts } from './types.js'

const MINUTE = 60_000
const WIDTH = 1200
const HEIGHT = 190
const MARGIN = { top: 12, right: 8, bottom: 24, left: 40 }

// `ok` is always green; other outcomes take the next free colour, none of them green, so "everything fine"
// reads at a glance. The legend names every colour, so nothing depends on telling colours apart.
const OK_COLOUR = 'var(--ok)'
const PALETTE = ['#d97706', '#dc2626', '#7c3aed', '#2563eb', '#db2777', '#0891b2', '#65a30d', '#6b7280']

/** Minute buckets from `now - minutes` to `now`, zero-filled where the server reported nothing. */
export function minuteSlots(data: readonly MinuteCounts[], minutes: number, now: number): MinuteCounts[] {
  const last = Math.floor(now / MINUTE) * MINUTE
  const byMinute = new Map<number, Record<string, number>>()
  for (const bucket of data) {
    const at = toMillis(bucket.minute)
    if (at === undefined) continue
    const slot = Math.floor(at / MINUTE) * MINUTE
    const counts = byMinute.get(slot) ?? {}
    for (const [outcome, count] of Object.entries(bucket.counts))
      counts[outcome] = (counts[outcome] ?? 0) + count
    byMinute.set(slot, counts)
  }
  const slots: MinuteCounts[] = []
  for (let at = last - (minutes - 1) * MINUTE; at <= last; at += MINUTE) {
    slots.push({ minute: at, counts: byMinute.get(at) ?? {} })
  }
  return slots
}

/** Outcomes ordered by total, `ok` first, with their totals. */
export function outcomeTotals(slots: readonly MinuteCounts[]): [string, number][] {
  const totals = new Map<string, number>()
  for (const slot of slots) {
    for (const [outcome, count] of Object.entries(slot.counts))
      totals.set(outcome, (totals.get(outcome) ?? 0) + count)
  }
  return [...totals].sort(([a, x], [b, y]) =>
    a === 'ok' ? -1 : b === 'ok' ? 1 : y - x || a.localeCompare(b),
  )
}

/**
 * A stacked bar chart of deliveries per minute by outcome, as inline SVG with a text legend and a summary
 * for screen readers.
 */
export function deliveriesChart(
  data: readonly MinuteCounts[],
  minutes: number,
  now = Date.now(),
): HTMLElement {
  const slots = minuteSlots(data, minutes, now)
  const totals = outcomeTotals(slots)
  const total = totals.reduce((sum, [, count]) => sum + count, 0)
  const colours = new Map<string, string>()
  let next = 0
  for (const [outcome] of totals) {
    colours.set(outcome, outcome === 'ok' ? OK_COLOUR : (PALETTE[next++ % PALETTE.length] as string))
  }

  const max = Math.max(1, ...slots.map((slot) => sum(slot.counts)))
  const top = niceCeiling(max)
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const band = plotWidth / slots.length
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight

  const ticks = [0, top / 2, top].filter((value) => Number.isInteger(value))
  const grid = ticks.map((value) =>
    s(
      'g',
      { class: 'chart-grid' },
      s('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value) }),
      s('text', { x: MARGIN.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, String(value)),
    ),
  )
  const bars = slots.map((slot, index) => {
    const x = MARGIN.left + index * band
    let base = 0
    const segments = totals
      .filter(([outcome]) => (slot.counts[outcome] ?? 0) > 0)
      .map(([outcome]) => {
        const count = slot.counts[outcome] ?? 0
        const rect = s(
          'rect',
          {
            x: x + band * 0.12,
            width: Math.max(1, band * 0.76),
            y: y(base + count),
            height: Math.max(0, y(base) - y(base + count)),
            fill: colours.get(outcome),
          },
          s('title', null, `${formatMinute(slot.minute as number)} · ${outcome}: ${count}`),
        )
        base += count
        return rect
      })
    return s('g', { class: 'chart-bar' }, segments)
  })
  const labelEvery = Math.max(1, Math.round(slots.length / 6))
  const lastIndex = slots.length - 1
  const labels = slots.map((slot, index) => {
    const last = index === lastIndex
    // The newest minute is always labelled, flush right so it is not clipped; a regular label too close to it
    // would overlap.
    if (!last && (index % labelEvery !== 0 || lastIndex - index < labelEvery / 2)) return null
    return s(
      'text',
      {
        class: 'chart-label',
        x: last ? WIDTH - MARGIN.right : MARGIN.left + index * band + band / 2,
        y: HEIGHT - 6,
        'text-anchor': last ? 'end' : 'middle',
      },
      formatMinute(slot.minute as number),
    )
  })

  const summary =
    total === 0
      ? `No deliveries in the last ${minutes} minutes.`
      : `${total} deliveries in the last ${minutes} minutes: ${totals.map(([o, c]) => `${o} ${c}`).join(', ')}.`
  const svg = s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': summary },
    grid,
    bars,
    labels,
  )
  const legend =
    total === 0
      ? h('p', { class: 'chart-empty' }, `No deliveries in the last ${minutes} minutes yet.`)
      : h(
          'ul',
          { class: 'chart-legend' },
          totals.map(([outcome, count]) =>
            h(
              'li',
              null,
              swatch(colours.get(outcome) ?? ''),
              h('span', { class: 'legend-name' }, outcome),
              h('span', { class: 'legend-count' }, String(count)),
            ),
          ),
        )
  return h('figure', { class: 'chart-figure', 'data-total': total }, svg, legend)
}

// Through the CSSOM, not a style attribute, so a strict Content-Security-Policy (no inline styles) holds.
function swatch(colour: string): HTMLElement {
  const element = h('span', { class: 'swatch', 'aria-hidden': 'true' })
  element.style.background = colour
  return element
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0)
}

/** 1, 2, 5, 10, 20, 50 … so the axis reads in round numbers. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}
