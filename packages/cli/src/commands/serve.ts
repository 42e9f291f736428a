import type { ServeIo } from '@aghanim-webhooks/server'
import type { CommandContext } from '../command.js'

// The server package owns `serve`, its flags and its help; this command only hands over.
export const help = `Run the webhook server. Its options: aghanim-webhooks serve --help
`

export async function run(argv: string[], { io }: CommandContext): Promise<number> {
  // Loaded here, not at the top: the server pulls in SQLite, PostgreSQL and pino, which `send` must not pay for.
  const { serveCommand } = await import('@aghanim-webhooks/server')
  const serveIo: ServeIo = { env: { ...io.env }, stdout: io.stdout, stderr: io.stderr, cwd: io.cwd }
  return serveCommand(argv, serveIo)
}
