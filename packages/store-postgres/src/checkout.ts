import type { Pool, PoolClient } from 'pg'

const ignore = () => {}

/**
 * `pool.connect()` with an 'error' listener for as long as the client is checked out. pg-pool listens on idle
 * clients only: a checked-out client whose session is terminated (a restart, a failover,
 * `pg_terminate_backend`) emits 'error', and with no listener that error is thrown from the EventEmitter and
 * ends the process. The failure still reaches the caller, through the query that was running or the next one.
 * Internal.
 */
export async function checkout(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect()
  client.on('error', ignore)
  const release = client.release
  client.release = (error?: Error | boolean) => {
    client.off('error', ignore)
    return release.call(client, error)
  }
  return client
}

/** The same for every client a pool creates, covering `pool.query`'s own check-outs. Internal. */
export function listenForErrors(pool: Pool): void {
  pool.on('connect', (client) => client.on('error', ignore))
}
