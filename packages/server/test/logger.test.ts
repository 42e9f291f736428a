import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { outputOf, spawnFixture } from '../../../test-support/child-process.js'

const fixture = new URL('./fixtures/stdout-logger.ts', import.meta.url)
const children: ReturnType<typeof spawnFixture>[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

function logLines(count: number, ending: 'exit' | 'stay' | 'warn-then-block') {
  const child = spawnFixture(fixture, [String(count), ending])
  children.push(child)
  return { child, output: outputOf(child) }
}

const indexes = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { index: number }).index)

describe('the server log on stdout (written in batches)', () => {
  it('writes every buffered line when the process exits at once', async () => {
    const { child, output } = logLines(5000, 'exit')
    const [code] = await once(child, 'exit')
    expect(code).toBe(3)
    expect(indexes(output.out)).toEqual(Array.from({ length: 5000 }, (_, index) => index))
  })

  it('writes a warning at once, with the lines before it, not at the next flush', async () => {
    const { output } = logLines(3, 'warn-then-block')
    // The fixture holds its event loop for 3 s after the warning: only an immediate write shows it sooner.
    await expect.poll(() => output.out, { timeout: 2000, interval: 20 }).toContain('database unavailable')
    expect(output.out.trim().split('\n')).toHaveLength(4)
  })

  it('writes a lone line of a quiet server within moments, without waiting for more', async () => {
    const { output } = logLines(1, 'stay')
    await expect.poll(() => output.out, { timeout: 5000, interval: 20 }).toContain('"msg":"delivery"')
    expect(indexes(output.out)).toEqual([0])
  })
})
