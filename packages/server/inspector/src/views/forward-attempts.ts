import { ApiError, api } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { formatDuration, formatTime, prettyBody } from '../format.js'
import { codeBlock, emptyState, errorPanel, mono } from './parts.js'

/**
 * Forward mode: the calls made to the backend for one delivery (route, status, duration, its answer). Without
 * forward mode the route does not exist (404) and the panel removes itself.
 */
export function forwardAttemptsPanel(deliveryId: string): HTMLElement {
  const panel = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'forwards-title' },
    h('h3', { id: 'forwards-title' }, 'Forwarded to the backend'),
    h('p', { class: 'loading', role: 'status' }, 'Loading the forward attempts…'),
  )
  api.forwards(deliveryId).then(
    (attempts) => {
      const title = panel.firstChild as Node
      if (attempts.length === 0) {
        replaceChildren(
          panel,
          title,
          emptyState('Not forwarded: it was refused, a duplicate, or handled locally.'),
        )
        return
      }
      replaceChildren(panel, title, attemptsTable(attempts))
    },
    (error) => {
      if (error instanceof ApiError && error.status === 404) panel.remove()
      else replaceChildren(panel, panel.firstChild, errorPanel(error))
    },
  )
  return panel
}

function attemptsTable(attempts: Awaited<ReturnType<typeof api.forwards>>): HTMLElement {
  return h(
    'table',
    { class: 'forwards' },
    h('caption', { class: 'visually-hidden' }, 'Calls to the backend, oldest first'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Started', 'Via', 'Attempt', 'Route', 'Status', 'Duration', 'Answer'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      attempts.map((attempt) =>
        h(
          'tr',
          null,
          h('td', { class: 'nowrap' }, formatTime(attempt.started_at)),
          h('td', null, attempt.via === 'outbox' ? 'outbox' : 'sync'),
          h('td', { class: 'num' }, String(attempt.attempt)),
          h(
            'td',
            { class: 'clip', title: attempt.url },
            mono(attempt.route),
            ' ',
            h('span', { class: 'muted' }, attempt.url),
          ),
          h('td', { class: 'num' }, attempt.status === null ? '—' : String(attempt.status)),
          h('td', { class: 'num nowrap' }, formatDuration(attempt.duration_ms)),
          h(
            'td',
            { class: 'answer' },
            attempt.error ? h('p', { class: 'form-error' }, attempt.error) : null,
            attempt.answer ? codeBlock(prettyBody(attempt.answer), 'The backend’s answer') : null,
          ),
        ),
      ),
    ),
  )
}
