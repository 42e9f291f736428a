import { api } from '../api.js'
import { h } from '../dom.js'
import { formatTime } from '../format.js'
import type { ListenAnswer } from '../types.js'
import { calleeCell, outcomeCells } from './call-cells.js'
import { dataTable, optionalPanel } from './parts.js'

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
        calleeCell(answer.listener, answer.target),
        ...outcomeCells(answer, 'The local answer'),
      ),
    ),
  )
}
