import type { Command } from '../command.js'

/**
 * The commands, in the order `--help` lists them: the one list that the global help, dispatch and the docs
 * test read. Each module loads only when it runs, so `send` does not pay for `check` or the server. Internal.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: {
    summary: 'Run the webhook server (SQLite by default, PostgreSQL for many instances)',
    load: async () => (await import('./serve.js')).command,
  },
  check: {
    summary: 'Run a conformance battery against any webhook endpoint',
    load: async () => (await import('./check.js')).command,
  },
  send: {
    summary: 'Sign and POST one realistic event to an endpoint',
    load: async () => (await import('./send.js')).command,
  },
  trigger: {
    summary: 'Play a whole flow: purchase, refund, chargeback, subscription, coupon',
    load: async () => (await import('./trigger.js')).command,
  },
  sign: {
    summary: 'Print the signature headers (or a curl line) for a body',
    load: async () => (await import('./sign.js')).command,
  },
  replay: {
    summary: "Replay a recorded delivery through the server's admin API",
    load: async () => (await import('./replay.js')).command,
  },
  listen: {
    summary: "Bring a deployed server's webhooks to your local app (mirror or tunnel)",
    load: async () => (await import('./listen.js')).command,
  },
  redrive: {
    summary: "Put forward mode's dead letters back in the outbox to be delivered again",
    load: async () => (await import('./redrive.js')).command,
  },
  reconcile: {
    summary: 'Find (and with --fix grant) paid orders Aghanim never delivered, through its S2S API',
    load: async () => (await import('./reconcile.js')).command,
  },
  events: {
    summary: 'List the event types with one-line descriptions',
    load: async () => (await import('./events.js')).command,
  },
  fixtures: {
    summary: 'Print the payload `send` would use for an event type',
    load: async () => (await import('./fixtures.js')).command,
  },
}
