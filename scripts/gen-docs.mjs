// Writes what docs/ takes from the code: `npm run gen:docs`. docs/errors.md's table of error codes (between
// <!-- error-codes:start --> and <!-- error-codes:end -->), from the library's and the server's catalogues.
// packages/server/test/server-docs.test.ts fails when it is out of date.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-b', join(root, 'packages/server')], { stdio: 'inherit' })
const { errorCodesMarkdown } = await import(
  pathToFileURL(join(root, 'packages/server/dist/errors/server-errors.js')).href
)

const path = join(root, 'docs/errors.md')
const text = readFileSync(path, 'utf8')
const start = '<!-- error-codes:start -->'
const end = '<!-- error-codes:end -->'
const next = `${text.slice(0, text.indexOf(start) + start.length)}\n${errorCodesMarkdown()}\n${text.slice(text.indexOf(end))}`
if (next === text) console.log('gen:docs: docs/errors.md is up to date.')
else {
  writeFileSync(path, next)
  console.log('gen:docs: docs/errors.md written.')
}
