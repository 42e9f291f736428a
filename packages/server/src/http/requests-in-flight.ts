/**
 * The requests being handled, so that shutdown waits for them before it closes what they use: a client that
 * hangs up closes its socket before the server has finished its request, whose delivery is still to be
 * logged. Internal.
 */
export interface RequestsInFlight {
  track(handled: Promise<unknown>): void
  /** Resolves once no request is in flight, or after `timeoutMs` at the latest. */
  drained(timeoutMs: number): Promise<void>
}

export function trackRequests(): RequestsInFlight {
  let count = 0
  const waiting: (() => void)[] = []
  const settled = () => {
    count -= 1
    if (count === 0) for (const wake of waiting.splice(0)) wake()
  }
  return {
    track(handled) {
      count += 1
      handled.then(settled, settled)
    },
    drained(timeoutMs) {
      if (count === 0) return Promise.resolve()
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        timer.unref()
        waiting.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
  }
}
