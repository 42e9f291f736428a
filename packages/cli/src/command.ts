import type { CliIo } from './io.js'
import type { Style } from './style.js'

/** What every command receives: the injected I/O, the stdout style (colours or not) and the clock. */
export interface CommandContext {
  io: CliIo
  style: Style
  now: () => number
}

/** A command module, loaded only when it runs so `send` does not pay for `check` or the server. */
export interface CommandModule {
  /** The full `--help` text, with examples. */
  help: string
  run(argv: string[], context: CommandContext): Promise<number>
}

/** The commands, in the order `--help` lists them. Internal. */
export const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  serve: {
    summary: 'Run the webhook server (SQLite by default, PostgreSQL for many instances)',
    load: () => import('./commands/serve.js'),
  },
  check: {
    summary: 'Run a conformance battery against any webhook endpoint',
    load: () => import('./commands/check.js'),
  },
  send: {
    summary: 'Sign and POST one realistic event to an endpoint',
    load: () => import('./commands/send.js'),
  },
  trigger: {
    summary: 'Play a whole flow: purchase, refund, chargeback, subscription, coupon',
    load: () => import('./commands/trigger.js'),
  },
  sign: {
    summary: 'Print the signature headers (or a curl line) for a body',
    load: () => import('./commands/sign.js'),
  },
  replay: {
    summary: "Replay a recorded delivery through the server's admin API",
    load: () => import('./commands/replay.js'),
  },
  listen: {
    summary: "Bring a deployed server's webhooks to your local app (mirror or tunnel)",
    load: () => import('./commands/listen.js'),
  },
  redrive: {
    summary: "Put forward mode's dead letters back in the outbox to be delivered again",
    load: () => import('./commands/redrive.js'),
  },
  reconcile: {
    summary: 'Find (and with --fix grant) paid orders Aghanim never delivered, through its S2S API',
    load: () => import('./commands/reconcile.js'),
  },
  events: {
    summary: 'List the event types with one-line descriptions',
    load: () => import('./commands/events.js'),
  },
  fixtures: {
    summary: 'Print the payload `send` would use for an event type',
    load: () => import('./commands/fixtures.js'),
  },
}

/** Writes a command's help to stdout; `--help` always exits 0. */
export function showHelp(io: CliIo, help: string): number {
  io.stdout.write(help)
  return 0
}
