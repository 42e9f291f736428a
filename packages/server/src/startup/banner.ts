import type { ServerConfig } from '../config/config.js'
import { describeDatabase } from '../config/database-url.js'

export interface BannerInput {
  config: ServerConfig
  url: string
  secretNote: string | undefined
  commands: { curl: string; cli: string }
  workers: number
  /** Milliseconds from process start to accepting connections. */
  readyMs: number
}

/** What `serve` prints once it accepts connections: where everything is and how to try it. Internal. */
export function banner({ config, url, secretNote, commands, workers, readyMs }: BannerInput): string {
  const admin = config.adminToken
    ? 'Authorization: Bearer $ADMIN_TOKEN'
    : config.production
      ? 'OFF: NODE_ENV=production needs ADMIN_TOKEN'
      : 'loopback clients only (set ADMIN_TOKEN to allow others)'
  const lines = [
    `aghanim-webhooks serve: listening on ${url} (ready in ${readyMs} ms${workers > 1 ? `, ${workers} worker processes` : ''})`,
    `  webhook     POST ${url}${config.webhookPath}`,
    `  database    ${describeDatabase(config.database)}`,
    ...runsLines(config),
    ...gamesLines(config),
    `  inspector   ${url}/inspector/`,
    `  admin API   ${url}/api/ (${admin})`,
    `  metrics     ${url}/metrics   health ${url}/healthz   ready ${url}/readyz`,
    ...listenLines(config, url),
    ...(secretNote ? [`  secret      ${secretNote}`] : []),
    '',
    config.forward
      ? 'Try it (player.verify, forwarded to your backend):'
      : config.seedTestPlayer
        ? 'Try it (player.verify for the seeded player "testplayer"):'
        : 'Try it (player.verify; answers 404 not_found until a player "testplayer" exists):',
    `  ${commands.curl}`,
    '',
    `  ${commands.cli}`,
    '',
  ]
  return `${lines.join('\n')}\n`
}

/** What answers the webhooks: the reference ledger, or in forward mode the backend (and the outbox). */
function runsLines(config: ServerConfig): string[] {
  const local = config.handlersPath ? ` (types your --handlers register are handled locally)` : ''
  if (!config.forward)
    return [`  handlers    reference ledger${config.handlersPath ? ' + your --handlers' : ''}`]
  return [
    `  forward     ${config.forward.routes.map((route) => `${route.pattern} → ${route.url}`).join(', ')}${local}`,
    ...(config.forward.sandboxRoutes.length > 0
      ? [
          `  sandbox to  ${config.forward.sandboxRoutes.map((route) => `${route.pattern} → ${route.url}`).join(', ')}`,
        ]
      : []),
    `              the reference ledger does not run; notifications ${config.forward.async ? 'go through the durable outbox (answered once stored)' : 'are forwarded synchronously'}`,
  ]
}

/** The games and what the sandbox does (never a secret). */
function gamesLines(config: ServerConfig): string[] {
  const sandbox = {
    separate: 'sandbox deliveries keep a ledger of their own per game',
    accept: 'sandbox deliveries share the live ledger',
    reject: 'sandbox deliveries are refused (403 sandbox_not_accepted)',
  }[config.sandbox]
  if (config.games.length === 0) return [`  sandbox     ${sandbox}`]
  return [`  games       ${config.games.map(({ game }) => game).join(', ')}; ${sandbox}`]
}

/** Where developers' laptops connect (`aghanim-webhooks listen`), unless listen mode is off. */
function listenLines(config: ServerConfig, url: string): string[] {
  if (config.listen.mode === 'off') return []
  const answers =
    config.listen.mode === 'tunnel' ? 'the laptop answers what its filter takes' : 'laptops get copies'
  return [
    `  listen      ${config.listen.mode} (${answers}): aghanim-webhooks listen --server ${url} --forward-to …`,
  ]
}
