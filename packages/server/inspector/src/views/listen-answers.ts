import { api } from '../api.js'
import { h } from '../dom.js'
import { formatDuration, formatTime, prettyBody } from '../format.js'
import type { ListenAnswer } from '../types.js'
import { codeBlock, dataTable, mono, optionalPanel } from './parts.js'

/**
 * `aghanim-webhooks listen`: what developers' laptops answered for one delivery (mirror copies, or the tunnelled
 * answer Aghanim got). The panel removes itself when no laptop was sent the delivery, or listen mode is off (404).
 */
export function listenAnswersPanel(deliveryId: string): HTMLElement {
  return optionalPanel(
    'listens-title',
    'Answered on a laptop (listen)',
    'the listen answers',
    api.listens(deliveryId),
    (answers) => (answers.length === 0 ? null : answersTable(answers)),
  )
}

function answersTable(answers: ListenAnswer[]): HTMLElement {
  return dataTable(
    'forwards listens',
    'Answers from listeners, oldest first',
    ['Sent', 'Mode', 'Listener', 'Status', 'Duration', 'Answer'],
    answers.map((answer) =>
      h(
        'tr',
        null,
        h('td', { class: 'nowrap' }, formatTime(answer.started_at)),
        h('td', null, answer.mode === 'tunnel' ? 'tunnel (answered Aghanim)' : 'mirror (copy)'),
        h(
          'td',
          { class: 'clip', title: answer.target },
          mono(answer.listener),
          ' ',
          h('span', { class: 'muted' }, answer.target),
        ),
        h('td', { class: 'num' }, answer.status === null ? '—' : String(answer.status)),
        h('td', { class: 'num nowrap' }, formatDuration(answer.duration_ms)),
        h(
          'td',
          { class: 'answer' },
          answer.error ? h('p', { class: 'form-error' }, answer.error) : null,
          answer.answer ? codeBlock(prettyBody(answer.answer), 'The local answer') : null,
        ),
      ),
    ),
  )
}
