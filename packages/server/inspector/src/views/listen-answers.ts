import { ApiError, api } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { formatDuration, formatTime, prettyBody } from '../format.js'
import { codeBlock, errorPanel, mono } from './parts.js'

/**
 * `aghanim-webhooks listen`: what developers' laptops answered for one delivery (mirror copies, or the tunnelled
 * answer Aghanim got). The panel removes itself when no laptop was sent the delivery, or listen mode is off (404).
 */
export function listenAnswersPanel(deliveryId: string): HTMLElement {
  const panel = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'listens-title' },
    h('h3', { id: 'listens-title' }, 'Answered on a laptop (listen)'),
    h('p', { class: 'loading', role: 'status' }, 'Loading the listen answers…'),
  )
  api.listens(deliveryId).then(
    (answers) => {
      if (answers.length === 0) panel.remove()
      else replaceChildren(panel, panel.firstChild, answersTable(answers))
    },
    (error) => {
      if (error instanceof ApiError && error.status === 404) panel.remove()
      else replaceChildren(panel, panel.firstChild, errorPanel(error))
    },
  )
  return panel
}

function answersTable(answers: Awaited<ReturnType<typeof api.listens>>): HTMLElement {
  return h(
    'table',
    { class: 'forwards listens' },
    h('caption', { class: 'visually-hidden' }, 'Answers from listeners, oldest first'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Sent', 'Mode', 'Listener', 'Status', 'Duration', 'Answer'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h(
      'tbody',
      null,
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
    ),
  )
}
