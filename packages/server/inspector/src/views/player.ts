import { ApiError, api, isUnauthorized } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { formatDateTime } from '../format.js'
import { deliveriesHref, playerHref } from '../route.js'
import type { Games, HistoryEntry, InventoryItem, Ledger, Player } from '../types.js'
import { codeBlock, dataTable, details, emptyState, errorPanel, loading, mono, type View } from './parts.js'

/** A player of the reference ledger: profile, inventory, and the grants and revokes that made it. */
export function playerView(id: string, ledger: URLSearchParams = new URLSearchParams()): View {
  return (root, context) => {
    let stopped = false
    // The games, for the links to this player in the other ledgers; a server without the route has none.
    const games = api.games().catch((): Games => ({ games: [], sandbox: 'accept' }))
    const load = async (showLoading = true) => {
      if (showLoading) replaceChildren(root, loading('the player'))
      try {
        // A link to a sandbox delivery's player, where sandbox purchases share the live ledger, shows that one.
        const served = await games
        if (served.sandbox !== 'separate') ledger.delete('sandbox')
        const [{ player, inventory, ...where }, history] = await Promise.all([
          api.player(id, ledger),
          api.history(id, ledger),
        ])
        if (!stopped)
          replaceChildren(root, render(id, player, inventory, history, ledgerLinks(id, where, served), where))
      } catch (error) {
        if (stopped) return
        if (isUnauthorized(error)) context.unauthorized()
        else if (error instanceof ApiError && error.code === 'game_required')
          replaceChildren(root, backLink(), chooseGame(id, await games))
        else if (error instanceof ApiError && error.status === 404)
          replaceChildren(root, backLink(), unknown(id), ledgerLinks(id, requested(ledger), await games))
        else
          replaceChildren(
            root,
            backLink(),
            errorPanel(error, () => void load()),
          )
      }
    }
    void load()
    // A grant for this player changes the inventory: show it without a reload.
    let reload: ReturnType<typeof setTimeout> | undefined
    const unsubscribe = context.onLiveDelivery((delivery) => {
      if (delivery.player_id !== id) return
      reload ??= setTimeout(() => {
        reload = undefined
        void load(false)
      }, 500)
    })
    return () => {
      stopped = true
      clearTimeout(reload)
      unsubscribe()
    }
  }
}

function backLink(): HTMLElement {
  return h('p', { class: 'back' }, h('a', { href: deliveriesHref() }, '← All deliveries'))
}

function unknown(id: string): HTMLElement {
  return emptyState(
    `No player with id “${id}”.`,
    h('p', null, 'Players are created with ', mono('PUT /api/players/:id'), ' or by the development seed.'),
  )
}

/** The ledger the page's address asks for, before the server said which it is. */
function requested(ledger: URLSearchParams): Ledger {
  return { game: ledger.get('game'), sandbox: ledger.get('sandbox') === 'true' }
}

/** Several games and none named: the player exists per game, so the page asks which. */
function chooseGame(id: string, served: Games): HTMLElement {
  return emptyState(
    'This server serves several games: which one’s player?',
    h(
      'p',
      { class: 'ledger-links' },
      ...served.games.map((game) => h('a', { class: 'button', href: playerHref(id, { game }) }, game)),
    ),
  )
}

/** Links to the same player id in the game's other ledger (live ↔ sandbox) and in the other games. */
function ledgerLinks(id: string, where: Ledger, served: Games): HTMLElement | null {
  const links: HTMLElement[] = []
  if (served.sandbox === 'separate')
    links.push(
      h(
        'a',
        { class: 'button', href: playerHref(id, { game: where.game, sandbox: !where.sandbox }) },
        where.sandbox ? 'Live ledger' : 'Sandbox ledger',
      ),
    )
  for (const game of served.games)
    if (game !== where.game) links.push(h('a', { class: 'button', href: playerHref(id, { game }) }, game))
  return links.length > 0 ? h('p', { class: 'ledger-links' }, ...links) : null
}

function render(
  id: string,
  player: Player,
  inventory: InventoryItem[],
  history: HistoryEntry[],
  links: HTMLElement | null,
  where: Ledger = { game: null, sandbox: false },
): DocumentFragment {
  const fragment = document.createDocumentFragment()
  fragment.append(
    backLink(),
    h(
      'header',
      { class: 'detail-header' },
      h('h2', { id: 'detail-title' }, player.name || id),
      player.name ? h('span', { class: 'subtitle' }, mono(id)) : null,
      where.game ? h('span', { class: 'badge' }, where.game) : null,
      where.sandbox ? h('span', { class: 'badge badge-sandbox' }, 'sandbox') : null,
      player.banned ? h('span', { class: 'badge badge-error' }, 'banned') : null,
      h(
        'a',
        { class: 'button', href: deliveriesHref(new URLSearchParams({ player: id })) },
        'Deliveries for this player',
      ),
    ),
    ...(links ? [links] : []),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'profile-title' },
        h('h3', { id: 'profile-title' }, 'Profile'),
        details([
          ['Player id', mono(player.player_id)],
          ['Name', player.name],
          ['Email', player.email],
          ['Country', player.country],
          ['Banned', player.banned ? 'yes' : 'no'],
          ['Segments', player.segments.length > 0 ? player.segments.join(', ') : null],
          ['Created', formatDateTime(player.created_at)],
          ['Updated', formatDateTime(player.updated_at)],
        ]),
        jsonBlock('Attributes', player.attributes),
        jsonBlock('Custom attributes', player.custom_attributes),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'inventory-title' },
        h('h3', { id: 'inventory-title' }, 'Inventory'),
        inventoryTable(inventory),
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'history-title' },
      h('h3', { id: 'history-title' }, 'Grants and revokes, newest first'),
      historyTable(history),
    ),
  )
  return fragment
}

function inventoryTable(inventory: InventoryItem[]): HTMLElement {
  const held = inventory.filter((item) => item.quantity !== 0)
  if (held.length === 0)
    return emptyState('Nothing yet.', h('p', null, 'Items granted by item.add appear here.'))
  return dataTable(
    'inventory',
    'Inventory',
    ['SKU', { title: 'Quantity', class: 'num' }],
    held.map((item) =>
      h('tr', null, h('td', null, mono(item.sku)), h('td', { class: 'num' }, item.quantity.toLocaleString())),
    ),
  )
}

function historyTable(history: HistoryEntry[]): HTMLElement {
  if (history.length === 0) return emptyState('No grants or revokes yet.')
  return dataTable(
    'history',
    'Grant and revoke history',
    ['When', 'Change', 'SKU', 'Quantity', 'Reason', 'Event', 'Key'],
    history.map((entry) => {
      const revoke = entry.kind === 'revoke'
      const deliveries = entry.key ? deliveriesHref(new URLSearchParams({ key: entry.key })) : undefined
      return h(
        'tr',
        null,
        h('td', { class: 'nowrap' }, formatDateTime(entry.created_at)),
        h(
          'td',
          null,
          h('span', { class: `tag ${revoke ? 'tag-revoke' : 'tag-grant'}` }, revoke ? 'revoke' : 'grant'),
        ),
        h('td', null, mono(entry.sku)),
        h(
          'td',
          { class: 'num' },
          `${revoke ? '−' : '+'}${entry.applied.toLocaleString()}`,
          // A revoke clamps at zero: say how much could not be taken back.
          entry.shortfall
            ? h('span', { class: 'shortfall' }, ` (${entry.shortfall.toLocaleString()} short)`)
            : null,
        ),
        h('td', null, entry.reason ?? '—'),
        h('td', null, mono(entry.event_type)),
        h('td', null, deliveries ? h('a', { href: deliveries }, 'deliveries') : '—'),
      )
    }),
  )
}

function jsonBlock(title: string, value: Record<string, unknown>): HTMLElement[] | null {
  if (Object.keys(value).length === 0) return null
  return [h('h4', null, title), codeBlock(JSON.stringify(value, null, 2), title)]
}
