import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'

/**
 * What the numbers were measured on: CPU, cores, memory, OS, Node, wrk, and the file system that holds the
 * databases (its fsync cost bounds every durable number). Also the load average: other work on the machine
 * during the run makes every number worse.
 *
 * @example machineInfo('/tmp/awh-bench-x').cpu // 'AMD EPYC'
 */
export function machineInfo(dataDir) {
  return {
    cpu: firstMatch(read('/proc/cpuinfo'), /^model name\s*:\s*(.+)$/m) ?? 'unknown',
    // cpus(), not availableParallelism(): the harness pins itself to one CPU before it asks.
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: firstMatch(read('/etc/os-release'), /^PRETTY_NAME="?([^"\n]+)"?$/m) ?? process.platform,
    kernel: release(),
    node: process.version,
    wrk: tryRun('wrk', ['--version']).split(' [')[0].trim(),
    fileSystem: tryRun('df', ['-T', dataDir]).split('\n')[1]?.split(/\s+/)[1] ?? 'unknown',
    loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
  }
}

function read(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

function firstMatch(text, pattern) {
  return pattern.exec(text)?.[1]?.trim()
}

function tryRun(command, args) {
  try {
    // wrk --version exits 1 after printing; the text is all that matters.
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    return `${error.stdout ?? ''}`
  }
}
