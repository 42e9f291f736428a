/**
 * What `work` gives, or its failure after `store` is closed: a database that fails to open (a migration, the
 * delivery log's files) leaves no pool, thread or file handle behind. Internal.
 *
 * @example await closeOnFailure(store, () => store.migrate(LEDGER_SCOPE, migrations))
 */
export async function closeOnFailure<T>(
  store: { close(): Promise<void> },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    await store.close()
    throw error
  }
}
