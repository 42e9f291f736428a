import type { CliIo } from './io.js'

/** Writes result lines to stdout and, on a terminal only, keeps a `[3/25] label` status line on stderr. */
export interface Progress {
  /** Sets the status line, e.g. before a request starts. */
  update(done: number, label: string): void
  /** Prints a result line to stdout without mangling the status line. */
  log(line: string): void
  /** Removes the status line. */
  end(): void
}

const CLEAR = '\r\u001b[2K'

export function createProgress(io: CliIo, total: number): Progress {
  const live = io.stderr.isTTY === true && io.env.TERM !== 'dumb' && !io.env.CI
  let status = ''
  const clear = () => {
    if (live && status) io.stderr.write(CLEAR)
  }
  return {
    update(done, label) {
      if (!live) return
      status = `[${done}/${total}] ${label}`
      io.stderr.write(`${CLEAR}${status}`)
    },
    log(line) {
      clear()
      io.stdout.write(`${line}\n`)
      if (live && status) io.stderr.write(status)
    },
    end() {
      clear()
      status = ''
    },
  }
}
