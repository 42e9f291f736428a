import { ApiError } from '../api.js'
import { type Child, h } from '../dom.js'
import type { DeliverySummary } from '../types.js'

/** What every view gets from the shell. */
export interface ViewContext {
  /** Called when the API refuses the token: the shell shows the sign-in form. */
  unauthorized: () => void
  /** Subscribes to deliveries arriving live; returns the unsubscribe function. */
  onLiveDelivery: (listener: (delivery: DeliverySummary) => void) => () => void
}

/** A view draws into `root` and returns what to undo when the page moves on. */
export type View = (root: HTMLElement, context: ViewContext) => () => void

export function loading(what: string): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, `Loading ${what}…`)
}

export function emptyState(title: string, ...details: Child[]): HTMLElement {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), details)
}

export function errorPanel(error: unknown, retry?: () => void, title = 'Could not load this.'): HTMLElement {
  const message = error instanceof Error ? error.message : String(error)
  const code = error instanceof ApiError ? error.code : undefined
  return h(
    'div',
    { class: 'error-panel', role: 'alert' },
    h('p', null, h('strong', null, title), ' ', message, code ? ` (${code})` : ''),
    retry ? h('button', { type: 'button', class: 'button', onclick: retry }, 'Try again') : null,
  )
}

/** A `<dl>` of label/value pairs; empty values show a dash rather than disappearing. */
export function details(entries: [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'details' },
    entries.map(([label, value]) =>
      h(
        'div',
        { class: 'details-row' },
        h('dt', null, label),
        h('dd', null, value === null || value === undefined || value === '' ? '—' : value),
      ),
    ),
  )
}

/** Preformatted, untrusted text (a body, a header value): always a text node. */
export function codeBlock(text: string, label: string): HTMLElement {
  return h('pre', { class: 'code', tabindex: 0, 'aria-label': label }, h('code', null, text))
}

export function mono(text: string | null | undefined): Child {
  return text ? h('code', { class: 'mono' }, text) : null
}
