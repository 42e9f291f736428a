import { h } from '../dom.js'
import { attemptText, formatDuration, formatTime } from '../format.js'
import { eventLabel, outcomeBadge } from '../outcome.js'
import { deliveryHref, playerHref } from '../route.js'
import type { DeliverySummary } from '../types.js'
import { dataTable, mono } from './parts.js'

/** A table of deliveries. Each row opens its delivery on click or Enter; links inside keep their own target. */
export function deliveryTable(caption: string, deliveries: readonly DeliverySummary[]): HTMLTableElement {
  // Fixed layout with set widths for the short columns: the long ones (event type, player, key) share what is
  // left and end in an ellipsis (the full text is their title), so the table fits a 1280 px window.
  const columns = ['received', 'type', 'player', 'key', 'outcome', 'status', 'duration', 'attempt', 'flags']
  return dataTable(
    'deliveries',
    caption,
    ['Received', 'Event type', 'Player', 'Idempotency key', 'Outcome', 'Status', 'Duration', 'Attempt', ''],
    deliveries.map((delivery) => deliveryRow(delivery)),
    h(
      'colgroup',
      null,
      columns.map((name) => h('col', { class: `col-${name}` })),
    ),
  )
}

export function deliveryRow(delivery: DeliverySummary, fresh = false): HTMLTableRowElement {
  const open = () => {
    location.hash = deliveryHref(delivery.id)
  }
  const flags = [
    delivery.sandbox ? h('span', { class: 'tag tag-sandbox' }, 'sandbox') : null,
    delivery.duplicate ? h('span', { class: 'tag' }, 'duplicate') : null,
    delivery.replay_of ? h('span', { class: 'tag' }, 'replay') : null,
  ]
  return h(
    'tr',
    {
      class: fresh ? 'row is-new' : 'row',
      tabindex: 0,
      'data-id': delivery.id,
      'aria-label': `${eventLabel(delivery)}, ${delivery.outcome}, HTTP ${delivery.status}`,
      onclick: (event: Event) => {
        if (!(event.target as Element).closest('a, button')) open()
      },
      onkeydown: (event: Event) => {
        if ((event as KeyboardEvent).key === 'Enter' && event.target === event.currentTarget) open()
      },
    },
    h('td', { class: 'nowrap' }, h('time', null, formatTime(delivery.received_at))),
    h(
      'td',
      { class: 'clip', title: eventLabel(delivery) },
      h('a', { href: deliveryHref(delivery.id) }, eventLabel(delivery)),
    ),
    h(
      'td',
      { class: 'clip', title: delivery.player_id },
      delivery.player_id
        ? h(
            'a',
            { href: playerHref(delivery.player_id, { game: delivery.game, sandbox: delivery.sandbox }) },
            delivery.player_id,
          )
        : '—',
    ),
    h('td', { class: 'clip key', title: delivery.key }, mono(delivery.key) ?? '—'),
    h('td', null, outcomeBadge(delivery.outcome, delivery.status)),
    h('td', { class: 'num' }, String(delivery.status)),
    h('td', { class: 'num nowrap' }, formatDuration(delivery.duration_ms)),
    h('td', { class: 'num' }, attemptText(delivery.attempt)),
    h('td', { class: 'flags' }, flags),
  )
}
