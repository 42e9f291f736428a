import cluster, { type Worker } from 'node:cluster'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { ListenerInfo } from '../listen/listen-hub.js'
import { type MetricsSnapshot, mergeSnapshots } from '../metrics/metrics.js'
import { type ClusterMessage, COLLECT_TIMEOUT_MS, isClusterMessage } from './messages.js'

export interface PrimaryOptions {
  workers: number
  /** The `serve` arguments and working directory the workers start with (the primary's own, as given to it). */
  argv: readonly string[]
  cwd: string
  /** The workers' whole environment (the configuration, plus a secret a development start generated). */
  env: Record<string, string>
  stderr: { write(text: string): unknown }
  /** Called once every worker listens. */
  onReady: (listening: { url: string; readyMs: number }) => void
  /** Resolves when shutdown was requested (SIGTERM/SIGINT). */
  stopRequested: Promise<void>
}

/** Workers that crash are replaced after this delay, so a crash loop does not spin a core. */
const RESTART_DELAY_MS = 1000

/**
 * `--workers N`: forks N processes that share the listening port (node:cluster), relays live deliveries and
 * metrics between them, replaces a worker that dies, and on shutdown sends SIGTERM to each and waits for all to
 * finish their in-flight requests. Resolves the exit code: 0 after a clean shutdown, the failing worker's code
 * when a worker cannot start. Internal.
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const env = { ...options.env, AGHANIM_SERVE_WORKER: '1' }
  let stopping = false
  let started = false
  let listening = 0
  const collections = new Map<string, { snapshots: MetricsSnapshot[]; expected: number; done: () => void }>()
  const liveClients = new Map<number, number>()
  const listeners = new Map<number, ListenerInfo[]>()
  const directory = (): ClusterMessage => ({
    type: 'aghanim:listen-directory',
    listeners: [...listeners.values()].flat(),
  })
  let watched = false
  const updateWatched = () => {
    const now = [...liveClients.values()].some((count) => count > 0)
    if (now === watched) return
    watched = now
    broadcast({ type: 'aghanim:watched', watched })
  }

  // A small young generation keeps each worker's memory flat under load at no throughput cost
  // (docs/benchmarks.md); an operator's own setting wins.
  const own = [...process.execArgv, options.env.NODE_OPTIONS ?? ''].some((flag) =>
    flag.includes('--max-semi-space-size'),
  )
  cluster.setupPrimary({
    // The workers run this package's own entry, whatever program embedded serveCommand (the CLI, a test).
    exec: fileURLToPath(
      new URL(import.meta.url.endsWith('.ts') ? '../main.ts' : '../main.js', import.meta.url),
    ),
    args: ['serve', ...options.argv],
    cwd: options.cwd,
    execArgv: own ? process.execArgv : [...process.execArgv, '--max-semi-space-size=2'],
  })
  const fork = () => cluster.fork(env)

  const onMessage = (worker: Worker, message: unknown) => {
    if (!isClusterMessage(message)) return
    switch (message.type) {
      case 'aghanim:listening':
        send(worker, { type: 'aghanim:watched', watched })
        send(worker, directory())
        listening++
        if (!started && listening === options.workers) {
          started = true
          options.onReady({ url: message.url, readyMs: message.readyMs })
        }
        return
      case 'aghanim:deliveries':
        broadcast(message)
        return
      case 'aghanim:live-clients':
        liveClients.set(worker.id, message.count)
        updateWatched()
        send(worker, { type: 'aghanim:watched', watched, ack: message.id })
        return
      case 'aghanim:listeners':
        listeners.set(worker.id, message.listeners)
        broadcast(directory())
        send(worker, { type: 'aghanim:listen-ack', id: message.id })
        return
      case 'aghanim:listen-deliver': {
        const holder = [...listeners].find(([, held]) => held.some((info) => info.id === message.listener))
        const target = holder && cluster.workers?.[holder[0]]
        if (target) send(target, message)
        return
      }
      case 'aghanim:listen-answer':
        for (const other of liveWorkers()) if (other.id !== worker.id) send(other, message)
        return
      case 'aghanim:metrics-request':
        collect().then((snapshot) =>
          send(worker, { type: 'aghanim:metrics-result', id: message.id, snapshot }),
        )
        return
      case 'aghanim:metrics-snapshot':
        collections.get(message.id)?.snapshots.push(message.snapshot)
        if (
          (collections.get(message.id)?.snapshots.length ?? 0) >= (collections.get(message.id)?.expected ?? 0)
        ) {
          collections.get(message.id)?.done()
        }
        return
    }
  }

  const collect = () =>
    new Promise<MetricsSnapshot>((resolve) => {
      const id = randomUUID()
      const targets = liveWorkers()
      const entry = {
        snapshots: [] as MetricsSnapshot[],
        expected: targets.length,
        done: () => {
          clearTimeout(timer)
          collections.delete(id)
          resolve(mergeSnapshots(entry.snapshots))
        },
      }
      const timer = setTimeout(entry.done, COLLECT_TIMEOUT_MS)
      collections.set(id, entry)
      for (const worker of targets) send(worker, { type: 'aghanim:metrics-collect', id })
      if (targets.length === 0) entry.done()
    })

  let failure: number | undefined
  const exited = new Promise<number>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      liveClients.delete(worker.id)
      updateWatched()
      if (listeners.delete(worker.id)) broadcast(directory())
      if (!stopping && !started) {
        // A worker that cannot start (bad handlers module, database down) will not do better on a retry.
        failure = code ?? 1
        stopping = true
        stopAll()
      } else if (!stopping) {
        options.stderr.write(
          `aghanim-webhooks serve: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one.\n`,
        )
        setTimeout(() => stopping || fork(), RESTART_DELAY_MS).unref()
        return
      } else if (code !== 0 && failure === undefined) {
        failure = code ?? 1
      }
      if (liveWorkers().length === 0) resolve(failure ?? 0)
    })
  })

  cluster.on('message', onMessage)
  for (let index = 0; index < options.workers; index++) fork()
  options.stopRequested.then(() => {
    stopping = true
    stopAll()
  })
  const code = await exited
  cluster.off('message', onMessage)
  return code

  function stopAll() {
    for (const worker of liveWorkers()) worker.process.kill('SIGTERM')
  }
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter(
    (worker): worker is Worker => !!worker && !worker.isDead(),
  )
}

function broadcast(message: ClusterMessage): void {
  for (const worker of liveWorkers()) send(worker, message)
}

function send(worker: Worker, message: ClusterMessage): void {
  if (worker.isConnected()) worker.send(message)
}
