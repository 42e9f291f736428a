import { performance } from 'node:perf_hooks'
import { loadConfig, type ServerConfig } from '../config/config.js'
import { ConfigError } from '../config/config-error.js'
import { ensureDevSecret } from '../config/dev-secret.js'
import { serveUsage } from '../config/flags.js'
import { banner } from './banner.js'
import { curlLines } from './curl-lines.js'
import { prepareDatabase, startServer } from './start-server.js'

/** The CLI's inputs, injected so tests can run `serve` in-process. */
export interface ServeIo {
  env: Record<string, string | undefined>
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  cwd: string
}

/**
 * `aghanim-webhooks serve`: loads the configuration, starts the server (or `--workers` processes), prints where
 * everything is and a test command, and resolves the exit code once it has shut down on SIGTERM/SIGINT:
 * 0 after a clean shutdown, 2 for bad configuration (one line on stderr, never a stack trace), 1 otherwise.
 *
 * @example process.exitCode = await serveCommand(process.argv.slice(3), { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export async function serveCommand(argv: string[], io: ServeIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(serveUsage)
    return 0
  }
  try {
    const config = loadConfig(argv, io.env, io.cwd)
    if (io.env.AGHANIM_SERVE_WORKER === '1') return await runWorker(config, io)
    let secretNote: string | undefined
    const named = config.games.length > 0
    let secretShown =
      named || argv.some((arg) => arg === '--secret' || arg.startsWith('--secret='))
        ? '<your-secret>'
        : '"$AGHANIM_WEBHOOK_SECRET"'
    if (config.secrets.length === 0 && !named) {
      const dev = ensureDevSecret(config.dataDir)
      config.secrets = [dev.secret]
      secretShown = dev.secret
      secretNote = `${dev.secret} (development; ${dev.created ? 'generated and ' : ''}kept in ${dev.path})`
    }
    const announce = async (url: string, readyMs: number) => {
      const webhookUrl = `${url}${config.webhookPath}`
      const commands = await curlLines({
        webhookUrl,
        // With several games, the test request is signed with the first game's secret.
        secret: named ? config.games[0]!.secrets[0]! : config.secrets[0]!,
        secretShown,
        game: config.games[0]?.game,
        now: Date.now(),
      })
      io.stdout.write(banner({ config, url, secretNote, commands, workers: config.workers, readyMs }))
    }
    if (config.workers > 1) {
      await prepareDatabase(config, { stdout: io.stdout })
      const { runPrimary } = await import('../cluster/primary.js')
      const stop = stopSignal()
      try {
        return await runPrimary({
          workers: config.workers,
          argv,
          cwd: io.cwd,
          env: { ...definedOnly(io.env), AGHANIM_WEBHOOK_SECRET: config.secrets.join(',') },
          stderr: io.stderr,
          onReady: ({ url, readyMs }) => void announce(url, readyMs),
          stopRequested: stop.requested,
        })
      } finally {
        stop.dispose()
      }
    }
    return await runSingle(config, io, announce)
  } catch (error) {
    return fail(io, error)
  }
}

async function runSingle(
  config: ServerConfig,
  io: ServeIo,
  announce: (url: string, readyMs: number) => Promise<void>,
): Promise<number> {
  const stop = stopSignal()
  try {
    const server = await startServer(config, { stdout: io.stdout, ownsDatabase: true })
    await announce(server.url, Math.round(performance.now()))
    await stop.requested
    await server.close()
    return 0
  } finally {
    stop.dispose()
  }
}

async function runWorker(config: ServerConfig, io: ServeIo): Promise<number> {
  const { workerHooks } = await import('../cluster/worker-hooks.js')
  const stop = stopSignal()
  try {
    const server = await startServer(config, { stdout: io.stdout, cluster: workerHooks() })
    process.send?.({
      type: 'aghanim:listening',
      url: server.url,
      port: server.port,
      readyMs: Math.round(performance.now()),
    })
    // The primary going away (killed) must not leave an orphan holding the port.
    process.once('disconnect', () => stop.trigger())
    await stop.requested
    await server.close()
    return 0
  } finally {
    stop.dispose()
    // The IPC channel keeps a worker's event loop alive: let go of it so the process can exit.
    if (process.connected) process.disconnect()
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

/** Resolves on the first SIGTERM or SIGINT; later ones are ignored while in-flight requests finish. */
function stopSignal() {
  let trigger = () => {}
  const requested = new Promise<void>((resolve) => {
    trigger = resolve
  })
  const onSignal = () => trigger()
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return {
    requested,
    trigger: () => trigger(),
    dispose() {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    },
  }
}

const CONFIG_ERRNOS = new Set([
  'EADDRINUSE',
  'EACCES',
  'EADDRNOTAVAIL',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
])
// PostgreSQL: invalid password / authorization, unknown database, unknown role.
const CONFIG_SQLSTATES = new Set(['28P01', '28000', '3D000', '42501'])

/** One line on stderr, never a stack trace: exit 2 for what the operator can fix in the configuration, else 1. */
function fail(io: ServeIo, error: unknown): number {
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number }
  const message = (err?.message ?? String(error)).split('\n')[0]
  if (error instanceof ConfigError) {
    io.stderr.write(`aghanim-webhooks serve: ${message}\n`)
    return 2
  }
  if (err?.code === 'EADDRINUSE') {
    io.stderr.write(
      `aghanim-webhooks serve: port ${err.port} is already in use; choose another with --port or PORT.\n`,
    )
    return 2
  }
  if (
    CONFIG_ERRNOS.has(err?.code ?? '') ||
    CONFIG_SQLSTATES.has(err?.code ?? '') ||
    /SQLITE_CANTOPEN|unable to open database/i.test(message ?? '')
  ) {
    io.stderr.write(`aghanim-webhooks serve: cannot start: ${message} (check DATABASE_URL, HOST and PORT).\n`)
    return 2
  }
  io.stderr.write(`aghanim-webhooks serve: failed: ${message}\n`)
  return 1
}
