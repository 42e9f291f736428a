import { api, isUnauthorized } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { attemptText, formatDateTime, formatDuration, prettyBody } from '../format.js'
import { eventLabel, outcomeBadge } from '../outcome.js'
import { deliveriesHref, deliveryHref, playerHref } from '../route.js'
import type { DeliveryDetail, DeliverySummary } from '../types.js'
import { deliveryTable } from './delivery-table.js'
import { forwardAttemptsPanel } from './forward-attempts.js'
import { listenAnswersPanel } from './listen-answers.js'
import { codeBlock, dataTable, details, emptyState, errorPanel, loading, mono, type View } from './parts.js'

/** One delivery: what came in, how it was verified, what was answered, its siblings, and a replay button. */
export function deliveryView(id: string): View {
  return (root, context) => {
    let stopped = false
    const load = async () => {
      replaceChildren(root, loading('the delivery'))
      try {
        const delivery = await api.delivery(id)
        const siblings = delivery.duplicates.filter((other) => other.id !== delivery.id)
        if (!stopped) replaceChildren(root, render(delivery, siblings))
      } catch (error) {
        if (stopped) return
        if (isUnauthorized(error)) context.unauthorized()
        else replaceChildren(root, backLink(), errorPanel(error, load))
      }
    }
    void load()
    return () => {
      stopped = true
    }
  }
}

/**
 * The game and sandbox flag the body's envelope names: which ledger its player is in. (A verified delivery's
 * game_id is its secret's game; a live one in a receiver that keeps the sandbox apart is in the live ledger.)
 */
function envelopeLedger(body: string | null): { game: string | null; sandbox: boolean } {
  try {
    const envelope = JSON.parse(body ?? '') as { game_id?: unknown; sandbox?: unknown } | null
    return {
      game: typeof envelope?.game_id === 'string' ? envelope.game_id : null,
      sandbox: envelope?.sandbox === true,
    }
  } catch {
    return { game: null, sandbox: false }
  }
}

function backLink(): HTMLElement {
  return h('p', { class: 'back' }, h('a', { href: deliveriesHref() }, '← All deliveries'))
}

function render(delivery: DeliveryDetail, siblings: DeliverySummary[]): DocumentFragment {
  const replay = replayControl(delivery)
  // Recorded with the delivery since games were; an older record's envelope says it.
  const envelope = envelopeLedger(delivery.body)
  const ledger = {
    game: delivery.game ?? envelope.game,
    sandbox: delivery.sandbox === true || envelope.sandbox,
  }
  const fragment = document.createDocumentFragment()
  fragment.append(
    backLink(),
    h(
      'header',
      { class: 'detail-header' },
      h('h2', { id: 'detail-title', class: 'mono' }, eventLabel(delivery)),
      outcomeBadge(delivery.outcome, delivery.status),
      ledger.game ? h('span', { class: 'badge' }, ledger.game) : null,
      ledger.sandbox ? h('span', { class: 'badge badge-sandbox' }, 'sandbox') : null,
      replay.button,
    ),
    replay.result,
    h(
      'section',
      { class: 'panel', 'aria-label': 'Summary' },
      details([
        ['Delivery', mono(delivery.id)],
        ['Received', formatDateTime(delivery.received_at)],
        ['Event id', mono(delivery.event_id)],
        ['Idempotency key', mono(delivery.key)],
        [
          'Player',
          delivery.player_id
            ? h('a', { href: playerHref(delivery.player_id, ledger) }, delivery.player_id)
            : null,
        ],
        ['Answer', `HTTP ${delivery.status} · ${delivery.outcome}`],
        ['Duration', formatDuration(delivery.duration_ms)],
        ['Attempt', attemptText(delivery.attempt)],
        [
          'Duplicate',
          delivery.duplicate ? 'yes — the first answer was sent again, the handler did not run' : 'no',
        ],
        [
          'Replay of',
          delivery.replay_of ? h('a', { href: deliveryHref(delivery.replay_of) }, delivery.replay_of) : null,
        ],
      ]),
    ),
    verificationPanel(delivery),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'request-title' },
        h('h3', { id: 'request-title' }, 'Request'),
        h('p', { class: 'request-line' }, mono(`${delivery.method} ${delivery.path}`)),
        headersTable(delivery.headers),
        h('h4', null, 'Body'),
        delivery.body_base64
          ? h(
              'p',
              { class: 'note' },
              'The body is not valid UTF-8: shown decoded with replacement characters.',
            )
          : null,
        delivery.body !== null
          ? codeBlock(prettyBody(delivery.body), 'Request body')
          : emptyState('No body was read.'),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'answer-title' },
        h('h3', { id: 'answer-title' }, 'Answer'),
        h('p', null, outcomeBadge(delivery.outcome, delivery.status), ` HTTP ${delivery.status}`),
        delivery.response_body
          ? codeBlock(prettyBody(delivery.response_body), 'Response body')
          : emptyState('Empty answer body.'),
      ),
    ),
    forwardAttemptsPanel(delivery.id),
    listenAnswersPanel(delivery.id),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'siblings-title' },
      h('h3', { id: 'siblings-title' }, 'Other deliveries with the same idempotency key'),
      !delivery.key
        ? emptyState(noKeyReason(delivery))
        : siblings.length === 0
          ? emptyState('None: this is the only delivery with this key.')
          : h('div', { class: 'table-scroll' }, deliveryTable('Deliveries with the same key', siblings)),
    ),
  )
  return fragment
}

function verificationPanel(delivery: DeliveryDetail): HTMLElement {
  const { verified, reason } = delivery.verification
  const state = verified === true ? 'verified' : verified === false ? 'rejected' : 'unchecked'
  const text = { verified: 'Verified', rejected: 'Not verified', unchecked: 'Not checked' }[state]
  const message = answerMessage(delivery.response_body)
  return h(
    'section',
    { class: `panel verification is-${state}`, 'aria-labelledby': 'verify-title' },
    h('h3', { id: 'verify-title' }, 'Signature'),
    h(
      'p',
      { class: 'verification-result' },
      h('span', { 'aria-hidden': 'true' }, { verified: '✓ ', rejected: '✕ ', unchecked: '– ' }[state]),
      h('strong', null, text),
      reason ? [' — ', mono(reason)] : null,
      state !== 'verified' && message ? ` — the answer said “${message}”` : null,
    ),
  )
}

/** The `message` of a JSON error answer, to explain a code in the server's own words. */
function answerMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { message?: unknown } | null)?.message
    return typeof message === 'string' ? message : undefined
  } catch {
    return undefined
  }
}

function headersTable(headers: Record<string, string>): HTMLElement {
  const entries = Object.entries(headers)
  if (entries.length === 0) return emptyState('No headers recorded.')
  return dataTable(
    'headers',
    'Request headers (secrets redacted by the server)',
    ['Header', 'Value'],
    entries.map(([name, value]) =>
      h('tr', null, h('th', { scope: 'row' }, mono(name)), h('td', null, mono(value))),
    ),
  )
}

function replayControl(delivery: DeliveryDetail): { button: HTMLElement; result: HTMLElement } {
  const result = h('div', { class: 'replay-result', role: 'status', 'aria-live': 'polite' })
  // The server re-signs a replay with the current secret, so a refused request must never be replayed: that
  // would make a forged body genuine. The server refuses too; the page says why before anyone tries.
  const refusal =
    delivery.verification.verified !== true
      ? 'Only verified deliveries can be replayed.'
      : delivery.body === null || delivery.body === ''
        ? 'Nothing to replay: no body was read.'
        : null
  if (refusal) {
    return {
      button: h(
        'span',
        { class: 'replay-off' },
        h(
          'button',
          { type: 'button', class: 'button', disabled: true, 'aria-describedby': 'replay-why' },
          'Replay',
        ),
        h('span', { id: 'replay-why', class: 'replay-why' }, refusal),
      ),
      result,
    }
  }
  const button = h(
    'button',
    {
      type: 'button',
      class: 'button primary',
      title: 'Runs the stored body through the handler again, freshly signed',
      onclick: async () => {
        button.disabled = true
        replaceChildren(result, 'Replaying…')
        try {
          const replay = await api.replay(delivery.id)
          replaceChildren(
            result,
            h(
              'div',
              { class: 'replay-answer' },
              h(
                'p',
                null,
                'Replayed as ',
                h('a', { href: deliveryHref(replay.id) }, replay.id),
                ': ',
                outcomeBadge(replay.outcome, replay.status),
                ` HTTP ${replay.status} in ${formatDuration(replay.duration_ms)}`,
                replay.duplicate
                  ? ' (duplicate: the first answer came back, the handler did not run again)'
                  : '',
              ),
              replay.response_body ? codeBlock(prettyBody(replay.response_body), 'Replay answer body') : null,
            ),
          )
        } catch (error) {
          const shown = isUnauthorized(error) ? new Error('The admin token was refused.') : error
          replaceChildren(result, errorPanel(shown, undefined, 'Replay failed.'))
        } finally {
          button.disabled = false
        }
      },
    },
    'Replay',
  )
  return { button, result }
}

function noKeyReason(delivery: DeliveryDetail): string {
  if (delivery.event_type === null)
    return 'Unknown: the body was not read as an event, so it has no key here.'
  return 'This delivery has no idempotency key: read-only events (player.verify, store.get, …) are not deduplicated.'
}
