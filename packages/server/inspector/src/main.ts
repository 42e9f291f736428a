import { ApiError, api, isUnauthorized } from './api.js'
import { h, replaceChildren } from './dom.js'
import { followDeliveries, type LiveMode } from './live.js'
import { deliveriesHref, outboxHref, parseRoute, playerHref, reconcileHref } from './route.js'
import { forgetToken, readToken, saveToken } from './token.js'
import type { DeliverySummary } from './types.js'
import { deliveriesView } from './views/deliveries.js'
import { deliveryView } from './views/delivery.js'
import { outboxView } from './views/outbox.js'
import { errorPanel, type View, type ViewContext } from './views/parts.js'
import { playerView } from './views/player.js'
import { reconcileView } from './views/reconcile.js'

// The shell: sign-in, the top bar, one live connection shared by all views, and hash routing.

const LIVE_TEXT: Record<LiveMode, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Polling every 5 s',
  offline: 'Offline, retrying',
}

const app = document.getElementById('app') as HTMLElement
const listeners = new Set<(delivery: DeliverySummary) => void>()
let stopLive: (() => void) | undefined
let leaveView: (() => void) | undefined

const context: ViewContext = {
  unauthorized: () => showSignIn('The admin token was refused. Enter it again.'),
  onLiveDelivery: (listener) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
}

async function start(): Promise<void> {
  replaceChildren(app, h('p', { class: 'loading', role: 'status' }, 'Connecting to the server…'))
  try {
    await api.deliveries({ limit: 1 })
  } catch (error) {
    if (isUnauthorized(error)) return showSignIn(readToken() ? 'The saved admin token was refused.' : null)
    const refused = error instanceof ApiError && error.status === 403
    const title = refused ? 'The admin API refused this page.' : 'The admin API did not answer.'
    replaceChildren(
      app,
      h(
        'main',
        { id: 'main' },
        errorPanel(error, () => void start(), title),
      ),
    )
    return
  }
  showShell()
}

function showSignIn(problem: string | null): void {
  stop()
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  })
  const message = h('p', { class: 'form-error', role: 'alert' }, problem ?? '')
  const form = h(
    'form',
    {
      class: 'sign-in panel',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        saveToken(input.value.trim())
        try {
          await api.deliveries({ limit: 1 })
          showShell()
        } catch (error) {
          forgetToken()
          replaceChildren(
            message,
            isUnauthorized(error) ? 'That token was refused.' : (error as Error).message,
          )
          input.select()
        }
      },
    },
    h('h1', null, 'Aghanim webhooks inspector'),
    h(
      'p',
      null,
      'Enter the server’s admin token (',
      h('code', null, 'ADMIN_TOKEN'),
      '). It is kept for this tab only.',
    ),
    h('label', { for: 'token' }, 'Admin token'),
    input,
    message,
    h('button', { type: 'submit', class: 'button primary' }, 'Sign in'),
  )
  replaceChildren(app, h('main', { class: 'sign-in-page' }, form))
  input.focus()
}

function showShell(): void {
  stop()
  const status = h(
    'span',
    { class: 'live-status', role: 'status', 'data-mode': 'connecting' },
    LIVE_TEXT.connecting,
  )
  const playerInput = h('input', {
    name: 'player',
    placeholder: 'player id',
    autocomplete: 'off',
    'aria-label': 'Player id',
  })
  const main = h('main', { id: 'main', tabindex: -1 })
  // Forward mode only: the outbox link appears once the server says it has one.
  const outboxLink = h('a', { class: 'button subtle', href: outboxHref(), hidden: true }, 'Outbox')
  api.outbox('pending', 1).then(
    () => outboxLink.removeAttribute('hidden'),
    () => {},
  )
  // Shown once the server says reconciliation is configured (an S2S API key for at least one game).
  const reconcileLink = h(
    'a',
    { class: 'button subtle', href: reconcileHref(), hidden: true },
    'Reconciliation',
  )
  api.reconcileRuns(1).then(
    (page) => page.games.length > 0 && reconcileLink.removeAttribute('hidden'),
    () => {},
  )
  const topbar = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'skip', href: '#main', onclick: skipToMain }, 'Skip to content'),
    h('h1', null, h('a', { href: deliveriesHref() }, 'Aghanim webhooks ', h('span', null, 'inspector'))),
    h(
      'form',
      {
        class: 'player-jump',
        role: 'search',
        'aria-label': 'Open a player',
        onsubmit: (event: Event) => {
          event.preventDefault()
          const id = playerInput.value.trim()
          if (id) location.hash = playerHref(id)
        },
      },
      playerInput,
      h('button', { type: 'submit', class: 'button' }, 'Open player'),
    ),
    outboxLink,
    reconcileLink,
    status,
    readToken()
      ? h(
          'button',
          {
            type: 'button',
            class: 'button subtle',
            onclick: () => {
              forgetToken()
              showSignIn(null)
            },
          },
          'Sign out',
        )
      : null,
  )
  replaceChildren(app, topbar, main)

  let first = true
  const route = () => {
    leaveView?.()
    const target = parseRoute(location.hash)
    const view: View =
      target.view === 'delivery'
        ? deliveryView(target.id)
        : target.view === 'player'
          ? playerView(target.id, target.params)
          : target.view === 'outbox'
            ? outboxView()
            : target.view === 'reconcile'
              ? reconcileView()
              : deliveriesView(target.params)
    leaveView = view(main, context)
    // Moving focus to the new content tells keyboard and screen-reader users the page changed.
    if (!first) main.focus({ preventScroll: true })
    window.scrollTo(0, 0)
    first = false
  }
  window.addEventListener('hashchange', route)
  route()

  stopLive = followDeliveries({
    onDelivery: (delivery) => {
      for (const listener of listeners) listener(delivery)
    },
    onMode: (mode) => {
      status.dataset.mode = mode
      status.textContent = LIVE_TEXT[mode]
    },
    onUnauthorized: context.unauthorized,
  })
  const previousStop = stopLive
  stopLive = () => {
    previousStop()
    window.removeEventListener('hashchange', route)
  }
}

function skipToMain(event: Event): void {
  event.preventDefault()
  document.getElementById('main')?.focus()
}

function stop(): void {
  stopLive?.()
  stopLive = undefined
  leaveView?.()
  leaveView = undefined
}

void start()
