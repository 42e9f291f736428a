import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, test } from 'vitest'
import { openDatabase } from '../src/database/open-database.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-readiness-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('readiness of the embedded database', () => {
  test('is not ready while it cannot commit: another process holding the write lock delays the ping', async () => {
    const path = join(dir, 'ready.db')
    const database = await openDatabase({ kind: 'sqlite', path, durability: 'fsync' }, Date.now)
    const other = new DatabaseSync(path)
    try {
      await database.ping()
      other.exec('BEGIN IMMEDIATE')
      let answered = false
      const ping = database.ping().then(() => {
        answered = true
      })
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(answered).toBe(false)
      other.exec('COMMIT')
      await ping
      expect(answered).toBe(true)
    } finally {
      other.close()
      await database.close()
    }
  })
})
