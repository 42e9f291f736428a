import { api } from '../api.js'
import { h } from '../dom.js'
import { formatDateTime, formatTime } from '../format.js'
import { playerHref } from '../route.js'
import type { ReconcileFindings, ReconcileRun } from '../types.js'
import { dataTable, emptyState, mono, poll, type View } from './parts.js'

/** The last reconciliation runs against Aghanim's S2S API, and what each found and fixed. */
export function reconcileView(): View {
  return (root, context) =>
    poll(
      root,
      context,
      'the reconciliation runs',
      10_000,
      () => api.reconcileRuns(20),
      (page) => render(page.games, page.runs),
    ).stop
}

function render(games: string[], runs: ReconcileRun[]): DocumentFragment {
  const fragment = document.createDocumentFragment()
  fragment.append(
    h(
      'header',
      { class: 'detail-header' },
      h('h2', null, 'Reconciliation'),
      h('span', { class: 'tag' }, games.length === 1 && games[0] === '' ? 'one game' : games.join(', ')),
    ),
    runs.length === 0
      ? emptyState(
          'No run yet.',
          'Run one with ',
          mono('aghanim-webhooks reconcile'),
          ', or set RECONCILE_EVERY.',
        )
      : h('div', null, runs.map(runPanel)),
  )
  return fragment
}

function runPanel(run: ReconcileRun): HTMLElement {
  const findings = 'checked' in run.result ? (run.result as ReconcileFindings) : undefined
  const title = `${formatTime(run.started_at)} · ${run.trigger === 'schedule' ? 'scheduled' : 'on demand'}${run.game ? ` · ${run.game}` : ''}`
  return h(
    'section',
    { class: 'panel reconcile-run', 'data-id': run.id, 'aria-label': `Run ${run.id}` },
    h('h3', null, title),
    h(
      'p',
      { class: 'note' },
      `Payments that changed status from ${formatDateTime(run.since * 1000)} to ${formatDateTime(run.until * 1000)}: `,
      `${run.checked} orders checked, ${run.missing} missing, ${run.revoked_missing} not revoked, ${run.fixed} fixed${run.fix ? '' : ' (report only)'}.`,
    ),
    run.error ? h('p', { class: 'form-error', role: 'alert' }, run.error) : null,
    findings ? findingsTable(findings) : null,
  )
}

function findingsTable(findings: ReconcileFindings): HTMLElement | null {
  const rows = [
    ...findings.missing.map((order) => ({ kind: 'missing', action: 'grant', ...order })),
    ...findings.revoked_missing.map((order) => ({
      kind: `not revoked (${order.status})`,
      action: 'revoke',
      ...order,
    })),
  ]
  if (rows.length === 0) return emptyState('Every paid order was granted, every refunded one revoked.')
  const fixedOf = (orderId: string, action: string) =>
    findings.fixed.find((entry) => entry.order_id === orderId && entry.action === action)
  return h(
    'div',
    { class: 'table-scroll' },
    dataTable(
      'reconcile',
      'Orders this run found',
      ['Finding', 'Order', 'Player', 'Items', 'Fix'],
      rows.map((row) => {
        const fixed = fixedOf(row.order_id, row.action)
        return h(
          'tr',
          { 'data-order': row.order_id },
          h('td', null, row.kind),
          h('td', { class: 'clip', title: row.order_id }, mono(row.order_id)),
          h(
            'td',
            { class: 'clip', title: row.player_id },
            h('a', { href: playerHref(row.player_id) }, row.player_id),
          ),
          h('td', null, itemsText(row.items)),
          h(
            'td',
            null,
            fixed ? `${fixed.result.replace('_', ' ')}${fixed.message ? ` — ${fixed.message}` : ''}` : '—',
          ),
        )
      }),
    ),
  )
}

function itemsText(items: unknown[]): string {
  return items
    .map((item) => {
      const { sku, quantity } = (item ?? {}) as { sku?: unknown; quantity?: unknown }
      return `${String(quantity ?? '?')} × ${String(sku ?? '?')}`
    })
    .join(', ')
}
