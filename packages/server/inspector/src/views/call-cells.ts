import { h } from '../dom.js'
import { formatDuration, prettyBody } from '../format.js'
import { codeBlock, mono } from './parts.js'

/** One call the server made for a delivery (to the backend, or to a listener's laptop), as the API lists it. */
interface Call {
  status: number | null
  duration_ms: number
  error: string | null
  answer: string | null
}

/** Who was called, in code, then where; the full address is the cell's title, as the text may be clipped. */
export function calleeCell(name: string, address: string): HTMLElement {
  return h('td', { class: 'clip', title: address }, mono(name), ' ', h('span', { class: 'muted' }, address))
}

/** The cells a row of calls ends with: the status (a dash when none), the duration, the error and the answer. */
export function outcomeCells(call: Call, answerLabel: string): HTMLElement[] {
  return [
    h('td', { class: 'num' }, call.status === null ? '—' : String(call.status)),
    h('td', { class: 'num nowrap' }, formatDuration(call.duration_ms)),
    h(
      'td',
      { class: 'answer' },
      call.error ? h('p', { class: 'form-error' }, call.error) : null,
      call.answer ? codeBlock(prettyBody(call.answer), answerLabel) : null,
    ),
  ]
}
