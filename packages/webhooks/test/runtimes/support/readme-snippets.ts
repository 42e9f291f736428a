import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const readme = fileURLToPath(new URL('../../../../../README.md', import.meta.url))

/**
 * The README code block right after `<!-- runtime-snippet: NAME -->`, as written: the runtime tests run
 * exactly what a reader copies. A missing snippet throws, so renaming one fails its test.
 */
export function runtimeSnippet(name: string): string {
  const text = readFileSync(readme, 'utf8')
  const marker = `<!-- runtime-snippet: ${name} -->`
  const at = text.indexOf(marker)
  const code = at === -1 ? undefined : /^\s*```ts\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length))?.[1]
  if (!code) throw new Error(`README.md has no code block after ${marker}`)
  return `${code}\n`
}
