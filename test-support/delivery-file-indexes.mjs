import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Every slot's index database of the SQLite delivery log's files under a server's data directory (one slot
 * per writing process: `<database>-deliveries/<slot>/index.db`), for tests and the bench that read what the
 * server logged once it stopped or flushed.
 *
 * @example deliveryFileIndexes(join(dir, 'data')) // ['…/aghanim-webhooks.db-deliveries/0/index.db']
 */
export function deliveryFileIndexes(dataDir) {
  const logs = readdirSync(dataDir).filter((name) => name.endsWith('-deliveries'))
  return logs.flatMap((log) =>
    readdirSync(join(dataDir, log), { withFileTypes: true })
      .filter((slot) => slot.isDirectory())
      .map((slot) => join(dataDir, log, slot.name, 'index.db')),
  )
}
