import { ApiError, isUnauthorized } from '../api.js'
import { type Child, h, replaceChildren } from '../dom.js'
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

/** A column heading: its text, or its text and a class (`num` aligns a column of numbers). */
export type Heading = string | { title: string; class: string }

/**
 * A table with a caption for screen readers, one row of column headings and `rows` (its `<tr>`s); `before`
 * goes between the caption and the headings (a `<colgroup>`).
 */
export function dataTable(
  className: string,
  caption: string,
  headings: readonly Heading[],
  rows: Child,
  before: Child = null,
): HTMLTableElement {
  return h(
    'table',
    { class: className },
    h('caption', { class: 'visually-hidden' }, caption),
    before,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headings.map((heading) =>
          typeof heading === 'string'
            ? h('th', { scope: 'col' }, heading)
            : h('th', { scope: 'col', class: heading.class }, heading.title),
        ),
      ),
    ),
    h('tbody', null, rows),
  )
}

/**
 * A panel of the delivery page filled from an API route of an optional mode: while `load` runs it says it is
 * loading `what`; then it shows what `fill` makes of the answer, or removes itself when `fill` gives null or
 * the route does not exist (404: the mode is off).
 */
export function optionalPanel<T>(
  id: string,
  title: string,
  what: string,
  load: Promise<T>,
  fill: (value: T) => HTMLElement | null,
): HTMLElement {
  const panel = h('section', { class: 'panel', 'aria-labelledby': id }, h('h3', { id }, title), loading(what))
  load.then(
    (value) => {
      const content = fill(value)
      if (content) replaceChildren(panel, panel.firstChild, content)
      else panel.remove()
    },
    (error) => {
      if (error instanceof ApiError && error.status === 404) panel.remove()
      else replaceChildren(panel, panel.firstChild, errorPanel(error))
    },
  )
  return panel
}

/**
 * Shows `what` loading in `root`, then draws `fetch()`'s answer with `draw`, and again every `everyMs` until
 * stopped (the page moved on). An error shows with a retry; a refused token signs out.
 */
export function poll<T>(
  root: HTMLElement,
  context: ViewContext,
  what: string,
  everyMs: number,
  fetch: () => Promise<T>,
  draw: (value: T) => Node,
): { reload: () => Promise<void>; stop: () => void } {
  let stopped = false
  const load = async () => {
    try {
      const value = await fetch()
      if (!stopped) replaceChildren(root, draw(value))
    } catch (error) {
      if (stopped) return
      if (isUnauthorized(error)) context.unauthorized()
      else replaceChildren(root, errorPanel(error, load))
    }
  }
  replaceChildren(root, loading(what))
  void load()
  const timer = setInterval(() => void load(), everyMs)
  return {
    reload: load,
    stop: () => {
      stopped = true
      clearInterval(timer)
    },
  }
}
