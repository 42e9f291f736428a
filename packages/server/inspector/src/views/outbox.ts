import { api } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { formatTime, prettyBody } from '../format.js'
import { deliveryHref, playerHref } from '../route.js'
import type { OutboxEntry, OutboxPage } from '../types.js'
import { codeBlock, dataTable, emptyState, errorPanel, mono, poll, type View } from './parts.js'

/** Forward mode's outbox: what waits to be delivered, and the dead letters, each redrivable (or all at once). */
export function outboxView(): View {
  return (root, context) => {
    const status = h('div', { class: 'replay-result', role: 'status', 'aria-live': 'polite' })
    const redrive = async (filter: Record<string, unknown>, button: HTMLButtonElement) => {
      button.disabled = true
      try {
        const count = await api.redrive(filter)
        replaceChildren(
          status,
          `Redrove ${count} dead letter${count === 1 ? '' : 's'}: the server delivers ${count === 1 ? 'it' : 'them'} again.`,
        )
        await outbox.reload()
      } catch (error) {
        replaceChildren(status, errorPanel(error, undefined, 'Redrive failed.'))
        button.disabled = false
      }
    }
    const outbox = poll(
      root,
      context,
      'the outbox',
      5000,
      () => Promise.all([api.outbox('pending'), api.outbox('dead')]),
      ([pending, dead]) => render(pending, dead, status, redrive),
    )
    return outbox.stop
  }
}

type Redrive = (filter: Record<string, unknown>, button: HTMLButtonElement) => Promise<void>

function render(
  pending: OutboxPage,
  dead: OutboxPage,
  status: HTMLElement,
  redrive: Redrive,
): DocumentFragment {
  const { counts } = pending
  const all = h(
    'button',
    { type: 'button', class: 'button primary', disabled: counts.dead === 0 },
    'Redrive all dead letters',
  )
  all.addEventListener('click', () => void redrive({ all_dead: true }, all))
  const fragment = document.createDocumentFragment()
  fragment.append(
    h(
      'header',
      { class: 'detail-header' },
      h('h2', null, 'Outbox'),
      h('span', { class: 'tag' }, `${counts.pending} pending`),
      h('span', { class: 'tag' }, `${counts.dead} dead`),
      all,
    ),
    status,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'dead-title' },
      h('h3', { id: 'dead-title' }, 'Dead letters'),
      dead.entries.length === 0
        ? emptyState('None: every notification was delivered or is still being retried.')
        : outboxTable('Dead letters, oldest first', dead.entries, redrive),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'pending-title' },
      h('h3', { id: 'pending-title' }, 'Pending'),
      counts.oldest_pending_at
        ? h('p', { class: 'note' }, `Oldest received ${formatTime(counts.oldest_pending_at)}.`)
        : null,
      pending.entries.length === 0
        ? emptyState('Nothing waiting.')
        : outboxTable('Pending notifications, oldest first', pending.entries, undefined),
    ),
  )
  return fragment
}

function outboxTable(caption: string, entries: OutboxEntry[], redrive: Redrive | undefined): HTMLElement {
  const titles = [
    'Received',
    'Event type',
    'Player',
    'Attempts',
    redrive ? 'Last answer' : 'Next attempt',
    '',
  ]
  return h(
    'div',
    { class: 'table-scroll' },
    dataTable(
      'outbox',
      caption,
      titles,
      entries.map((entry) => {
        const button = redrive ? h('button', { type: 'button', class: 'button' }, 'Redrive') : null
        button?.addEventListener('click', () => void redrive!({ delivery_ids: [entry.delivery_id] }, button))
        return h(
          'tr',
          { 'data-id': entry.delivery_id },
          h(
            'td',
            { class: 'nowrap' },
            h('a', { href: deliveryHref(entry.delivery_id) }, formatTime(entry.received_at)),
          ),
          h('td', { class: 'clip', title: entry.event_type }, mono(entry.event_type)),
          h(
            'td',
            { class: 'clip', title: entry.player_id },
            entry.player_id ? h('a', { href: playerHref(entry.player_id) }, entry.player_id) : '—',
          ),
          h('td', { class: 'num' }, String(entry.attempts)),
          redrive
            ? h(
                'td',
                { class: 'answer' },
                h(
                  'p',
                  null,
                  entry.last_status === null ? 'no answer' : `HTTP ${entry.last_status}`,
                  entry.last_error ? ` — ${entry.last_error}` : '',
                ),
                entry.last_answer
                  ? codeBlock(prettyBody(entry.last_answer), 'The backend’s last answer')
                  : null,
              )
            : h('td', { class: 'nowrap' }, formatTime(entry.next_at)),
          h('td', null, button),
        )
      }),
    ),
  )
}
