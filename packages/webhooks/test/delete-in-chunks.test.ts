import { deleteInChunks } from 'aghanim-webhooks/store'
import { describe, expect, test } from 'vitest'

/** A table of `rows` rows and the chunk sizes asked of it. */
function table(rows: number) {
  let left = rows
  const asked: number[] = []
  const deleteChunk = async (limit: number) => {
    asked.push(limit)
    const deleted = Math.min(left, limit)
    left -= deleted
    return deleted
  }
  return { deleteChunk, asked, left: () => left }
}

describe('deleteInChunks', () => {
  test('deletes chunk after chunk until one comes back short, and counts them all', async () => {
    const rows = table(1_234)
    expect(await deleteInChunks(rows.deleteChunk, 500)).toBe(1_234)
    expect(rows.asked).toEqual([500, 500, 500])
    expect(rows.left()).toBe(0)
  })

  test('an exact multiple of the chunk ends with an empty chunk', async () => {
    const rows = table(1_000)
    expect(await deleteInChunks(rows.deleteChunk, 500)).toBe(1_000)
    expect(rows.asked).toEqual([500, 500, 500])
  })

  test('nothing to delete costs one statement', async () => {
    const rows = table(0)
    expect(await deleteInChunks(rows.deleteChunk, 500)).toBe(0)
    expect(rows.asked).toEqual([500])
  })

  test('a failing chunk fails the whole prune, keeping what earlier chunks deleted', async () => {
    let calls = 0
    const failing = async () => {
      calls += 1
      if (calls === 2) throw new Error('disk I/O error')
      return 10
    }
    await expect(deleteInChunks(failing, 10)).rejects.toThrow('disk I/O error')
    expect(calls).toBe(2)
  })
})
