// Writes what is generated from the event catalogue: `npm run gen:events`. The README's "Supported events"
// section (between <!-- events:start --> and <!-- events:end -->) and the JSON Schema the library ships as
// aghanim-webhooks/schema.json. packages/webhooks/test/events-readme.test.ts and events-json-schema.test.ts
// fail when either is out of date.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { eventsTableMarkdown } from './events-table.mjs'

const START = '<!-- events:start -->'
const END = '<!-- events:end -->'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// Build the library first (incremental, fast) so the table never comes from a stale dist.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
try {
  execFileSync(process.execPath, [tsc, '-b', join(root, 'packages/webhooks')], { stdio: 'inherit' })
} catch {
  console.warn('gen:events: the library build reported errors; using packages/webhooks/dist as it is.')
}
const library = await import(pathToFileURL(join(root, 'packages/webhooks/dist/index.js')).href)
const { eventsJsonSchemaText } = await import(
  pathToFileURL(join(root, 'packages/webhooks/dist/events/json-schema.js')).href
)

const schemaPath = join(root, 'packages/webhooks/schema.json')
const schema = eventsJsonSchemaText()
if (readIfExists(schemaPath) === schema) {
  console.log('gen:events: packages/webhooks/schema.json is up to date.')
} else {
  writeFileSync(schemaPath, schema)
  console.log('gen:events: packages/webhooks/schema.json written.')
}

function readIfExists(path) {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

const readmePath = join(root, 'README.md')
const readme = readFileSync(readmePath, 'utf8')
const start = readme.indexOf(START)
const end = readme.indexOf(END)
if (start === -1 || end < start) {
  console.error(`gen:events: README.md needs the markers ${START} and ${END}, in that order.`)
  process.exit(1)
}
const updated = `${readme.slice(0, start + START.length)}\n${eventsTableMarkdown(library)}\n${readme.slice(end)}`
if (updated === readme) {
  console.log('gen:events: README.md is up to date.')
} else {
  writeFileSync(readmePath, updated)
  console.log('gen:events: README.md events table updated.')
}
