/**
 * The bodies of queued deliveries, copied into buffers that are used again, so that a request's own buffer
 * dies young. A body kept until its batch is written outlives a scavenge and is promoted; at 64 KiB per
 * delivery V8 then carries that external memory until a full collection, and ran one every 100–300 ms under
 * load (docs/benchmarks.md). A buffer is used again once the batch it holds is stored. Internal.
 */
export interface BodyArena {
  /** A copy of `body` in the current buffer, or undefined when it does not fit in what is left of it. */
  copy(body: Uint8Array): Uint8Array | undefined
  /** Ends the current buffer's batch; call the function returned once that batch is stored. */
  seal(): () => void
  readonly capacity: number
}

export function createBodyArena(capacity: number): BodyArena {
  const free: Uint8Array[] = []
  const take = () => free.pop() ?? new Uint8Array(capacity)
  let current: Uint8Array | undefined
  let used = 0
  return {
    capacity,
    copy(body) {
      if (used + body.length > capacity) return undefined
      current ??= take()
      const copied = current.subarray(used, used + body.length)
      copied.set(body)
      used += body.length
      return copied
    },
    seal() {
      const sealed = current
      current = undefined
      used = 0
      return sealed ? () => free.push(sealed) : () => {}
    },
  }
}
