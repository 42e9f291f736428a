/**
 * Deletes rows past retention in bounded chunks, each its own transaction, until a chunk comes back short;
 * resolves with how many were deleted. For store implementations (both shipped stores use it for keys and the
 * delivery log). One `DELETE` of everything past retention would be one long transaction: on SQLite it runs
 * on the event loop, so every webhook waits for it for as long as it takes (docs/benchmarks.md, "Why the code
 * is shaped this way"), and it writes every page it empties to the WAL in one commit.
 *
 * @example
 * const deleted = await deleteInChunks((limit) => deleteOldest(olderThan, limit), 500)
 */
export async function deleteInChunks(
  deleteChunk: (limit: number) => Promise<number>,
  chunkRows: number,
): Promise<number> {
  let total = 0
  for (;;) {
    const deleted = await deleteChunk(chunkRows)
    total += deleted
    if (deleted < chunkRows) return total
  }
}
