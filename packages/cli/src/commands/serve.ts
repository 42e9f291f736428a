import type { ServeIo } from '@aghanim-webhooks/server'
import type { Command } from '../command.js'

/** The server package owns `serve`, its flags and its help (`serve --help`); this command only hands over. */
export const command: Command = {
  async run(argv, { io }) {
    // Loaded here, not at the top: the server pulls in SQLite, PostgreSQL and pino, which `send` must not pay for.
    const { serveCommand } = await import('@aghanim-webhooks/server')
    const serveIo: ServeIo = { env: { ...io.env }, stdout: io.stdout, stderr: io.stderr, cwd: io.cwd }
    return serveCommand(argv, serveIo)
  },
}
