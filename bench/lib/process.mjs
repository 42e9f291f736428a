import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** A free TCP port on loopback (the OS picks it; the tiny race before the target binds is harmless here). */
export async function freePort() {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

/**
 * Spawns a target (pinned to `cpus` with taskset when given) with its output in `logFile`, and waits until
 * `GET readyUrl` answers 200. Returns its pid, how long it took to be ready, and `stop()`.
 *
 * @example const target = await startProcess({ command: process.execPath, args: ['bare.mjs'], readyUrl, logFile })
 */
export async function startProcess({ command, args, env, cpus, cwd, logFile, readyUrl, timeoutMs = 20_000 }) {
  const log = openSync(logFile, 'a')
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, args]
  const started = performance.now()
  // Its own process group, so stop() reaches cluster workers too, and nothing else.
  const child = spawn(file, argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true,
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const readyMs = await waitReady(readyUrl, started, timeoutMs, () => exited)
  if (readyMs === undefined) {
    stopGroup(child)
    const tail = readFileSync(logFile, 'utf8').slice(-3000)
    throw new Error(
      `${[file, ...argv].join(' ')} was not ready within ${timeoutMs} ms (exited: ${exited}). Log:\n${tail}`,
    )
  }
  return {
    pid: child.pid,
    readyMs,
    async stop() {
      if (exited) return
      stopGroup(child, 'SIGTERM')
      const timer = setTimeout(() => stopGroup(child, 'SIGKILL'), 5000)
      await once(child, 'exit').catch(() => {})
      clearTimeout(timer)
      // Workers whose primary exited first must not outlive the target.
      stopGroup(child, 'SIGKILL')
    },
  }
}

function stopGroup(child, signal = 'SIGKILL') {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

async function waitReady(url, started, timeoutMs, hasExited) {
  while (performance.now() - started < timeoutMs && !hasExited()) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      if (response.ok) return performance.now() - started
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return undefined
}

/**
 * The resident set size (bytes) of `pid` and of each of its descendants (cluster workers), from /proc.
 *
 * @example rssOfTree(target.pid) // [{ pid: 123, rss: 61_000_000 }, { pid: 124, rss: 58_000_000 }]
 */
export function rssOfTree(pid) {
  const out = []
  const visit = (id) => {
    const rss = readRss(id)
    if (rss !== undefined) out.push({ pid: id, rss })
    for (const child of childrenOf(id)) visit(child)
  }
  visit(pid)
  return out
}

function readRss(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/**
 * CPU time (seconds, user + system) used so far by `pid` and its live descendants. Per request it is the
 * number least disturbed by other work on the machine: it counts only the target's own cycles.
 *
 * @example const before = cpuOfTree(pid); await load(); const used = cpuOfTree(pid) - before
 */
export function cpuOfTree(pid) {
  let ticks = 0
  const visit = (id) => {
    try {
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      return
    }
    for (const child of childrenOf(id)) visit(child)
  }
  visit(pid)
  return ticks / CLOCK_TICKS
}

// USER_HZ: 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100

/**
 * Samples the largest per-process RSS of a process tree every `everyMs` until `stop()` is called.
 *
 * @example const sampler = sampleRss(pid); await load(); const peakBytes = sampler.stop()
 */
export function sampleRss(pid, everyMs = 200) {
  let peak = 0
  const take = () => {
    for (const { rss } of rssOfTree(pid)) peak = Math.max(peak, rss)
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    stop() {
      clearInterval(timer)
      take()
      return peak
    },
  }
}
