/** A seeded pseudo-random generator (sfc32), so a failing run reproduces from the seed it printed. */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, max). */
  int(max: number): number
  /** An integer in [min, max]. */
  between(min: number, max: number): number
  chance(probability: number): boolean
  pick<T>(items: readonly T[]): T
  bytes(length: number): Buffer
  /** `length` characters from `alphabet`. */
  text(length: number, alphabet?: string): string
}

/** The seed: `FUZZ_SEED` when set (to reproduce a failure), else random. */
export function seedFromEnv(): number {
  const given = process.env.FUZZ_SEED
  return given ? Number(given) >>> 0 : (Math.random() * 2 ** 32) >>> 0
}

/**
 * @example const random = createRandom(42); random.int(10) // the same sequence for the same seed
 */
export function createRandom(seed: number): Random {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next32 = () => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 15; i += 1) next32()
  const random: Random = {
    next: () => next32() / 2 ** 32,
    int: (max) => Math.floor(random.next() * max),
    between: (min, max) => min + random.int(max - min + 1),
    chance: (probability) => random.next() < probability,
    pick: (items) => items[random.int(items.length)]!,
    bytes(length) {
      const out = Buffer.allocUnsafe(length)
      for (let i = 0; i < length; i += 1) out[i] = next32() & 0xff
      return out
    },
    text(length, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789') {
      let out = ''
      for (let i = 0; i < length; i += 1) out += alphabet[random.int(alphabet.length)]
      return out
    },
  }
  return random
}
