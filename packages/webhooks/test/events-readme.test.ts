import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { eventsTableMarkdown } from '../../../scripts/events-table.mjs'
import * as library from '../src/index.js'

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

describe('the README events table', () => {
  it('matches the catalogue (run `npm run gen:events` to update it)', () => {
    const section = readme.split('<!-- events:start -->')[1]?.split('<!-- events:end -->')[0]
    expect(section, 'README.md has no events section').toBeDefined()
    expect(section).toBe(`\n${eventsTableMarkdown(library)}\n`)
  })

  it('lists every event type once', () => {
    const rows = eventsTableMarkdown(library)
      .split('\n')
      .filter((line) => line.startsWith('| `'))
    expect(rows).toHaveLength(46)
    expect(new Set(rows.map((row) => row.split('|')[1])).size).toBe(46)
  })
})
