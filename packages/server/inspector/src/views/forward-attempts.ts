import { api } from '../api.js'
import { h } from '../dom.js'
import { formatTime } from '../format.js'
import type { ForwardAttempt } from '../types.js'
import { calleeCell, outcomeCells } from './call-cells.js'
import { dataTable, emptyState, optionalPanel } from './parts.js'

/**
 * Forward mode: the calls made to the backend for one delivery (route, status, duration, its answer). Without
 * forward mode the route does not exist (404) and the panel removes itself.
 */
export function forwardAttemptsPanel(deliveryId: string): HTMLElement {
  return optionalPanel(
    'forwards-title',
    'Forwarded to the backend',
    'the forward attempts',
    api.forwards(deliveryId),
    (attempts) =>
      attempts.length === 0
        ? emptyState('Not forwarded: it was refused, a duplicate, or handled locally.')
        : attemptsTable(attempts),
  )
}

function attemptsTable(attempts: ForwardAttempt[]): HTMLElement {
  return dataTable(
    'forwards',
    'Calls to the backend, oldest first',
    ['Started', 'Via', 'Attempt', 'Route', 'Status', 'Duration', 'Answer'],
    attempts.map((attempt) =>
      h(
        'tr',
        null,
        h('td', { class: 'nowrap' }, formatTime(attempt.started_at)),
        h('td', null, attempt.via === 'outbox' ? 'outbox' : 'sync'),
        h('td', { class: 'num' }, String(attempt.attempt)),
        calleeCell(attempt.route, attempt.url),
        ...outcomeCells(attempt, 'The backend’s answer'),
      ),
    ),
  )
}
