import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { errorCodesMarkdown } from '../src/errors/server-errors.js'
import { ADMIN_ROUTES } from '../src/http/admin-routes.js'

const doc = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8')

function between(text: string, start: string, end: string): string {
  return text.slice(text.indexOf(start) + start.length, text.indexOf(end)).trim()
}

function section(text: string, heading: string): string {
  const from = text.indexOf(`\n${heading}\n`)
  const to = text.indexOf('\n## ', from + heading.length + 2)
  return text.slice(from, to === -1 ? undefined : to)
}

/** `GET /api/players/:playerId/history` for each route a first table cell names (query strings dropped). */
function documentedRoutes(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split(' | ')[0]!.matchAll(/`((?:GET|POST|PUT|DELETE) \/api\/[^`?]*)[^`]*`/g)])
    .map((match) => match[1]!)
}

describe('the docs are made from, or checked against, the code', () => {
  test('docs/errors.md lists every error code of the library and the server (npm run gen:docs)', () => {
    expect(between(doc('errors.md'), '<!-- error-codes:start -->', '<!-- error-codes:end -->')).toBe(
      errorCodesMarkdown(),
    )
  })

  test("docs/server.md's admin API table names exactly the routes the server dispatches", () => {
    const declared = ADMIN_ROUTES.map((route) => `${route.method} /api/${route.path}`)
    const documented = documentedRoutes(section(doc('server.md'), '## Admin API'))
    expect(documented.toSorted()).toEqual(declared.toSorted())
  })
})
