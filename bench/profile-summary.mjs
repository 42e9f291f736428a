#!/usr/bin/env node
// Summarises a V8 .cpuprofile in the terminal: the functions with the most self time, and the
// inclusive time of every function whose name or file matches --focus. A flame graph shows the
// shape; this gives the numbers to put in docs/benchmarks.md before and after a change.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 30] [--focus deliver,pino,sqlite]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, focus: { type: 'string', default: '' } },
})
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N] [--focus a,b]')
  process.exit(2)
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const parentOf = new Map()
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)

const selfSamples = new Map()
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1)
const total = profile.samples.length
const idle = [...selfSamples].filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)')
const busy = total - idle.reduce((sum, [, n]) => sum + n, 0)

const label = ({ callFrame: f }) =>
  `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`
const percent = (n) => `${((100 * n) / busy).toFixed(1).padStart(5)}%`

const selfByLabel = new Map()
for (const [id, n] of selfSamples) {
  if (nodes.get(id).callFrame.functionName === '(idle)') continue
  const key = label(nodes.get(id))
  selfByLabel.set(key, (selfByLabel.get(key) ?? 0) + n)
}
console.log(`${positionals[0]}\n${total} samples, ${busy} not idle; percentages of the busy ones\n`)
console.log('self time')
for (const [key, n] of [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${percent(n)}  ${key}`)
}

const focus = values.focus.split(',').filter(Boolean)
if (focus.length > 0) {
  console.log('\ninclusive time (a sample counts once per matching function on its stack)')
  for (const term of focus) {
    const inclusive = new Map()
    for (const [id, n] of selfSamples) {
      const seen = new Set()
      for (let at = id; at !== undefined; at = parentOf.get(at)) {
        const key = label(nodes.get(at))
        if (!key.includes(term) || seen.has(key)) continue
        seen.add(key)
        inclusive.set(key, (inclusive.get(key) ?? 0) + n)
      }
    }
    for (const [key, n] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      console.log(`${percent(n)}  ${key}`)
    }
  }
}

function shortUrl(url) {
  const at = url.search(/packages\/|node_modules\/|node:/)
  return at === -1 ? url : url.slice(at)
}
