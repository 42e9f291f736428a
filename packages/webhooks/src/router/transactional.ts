const TRANSACTIONAL = Symbol.for('aghanim-webhooks.transactional')

/**
 * Marks a handler whose only effects are its answer and the work it queues with `transact()`: no call to
 * another service, no write outside the transaction. Such a handler may run before its key is claimed, and
 * a store that can (`completeUnclaimed`, PostgreSQL's) then records the key, its answer and the work in one
 * statement: one round trip per grant instead of two. A duplicate that ran meanwhile commits nothing and gets
 * the first answer. Handlers that call out (a backend, a mailer) must stay unmarked: they run only once their
 * key is claimed. Returns the handler itself.
 *
 * @example router.on('item.add', transactional(async (event, { transact }) => { transact(grant(event)) }))
 */
export function transactional<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => R {
  Object.defineProperty(handler, TRANSACTIONAL, { value: true })
  return handler
}

/** Whether `handler` was marked with `transactional`. */
export function isTransactional(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as { [TRANSACTIONAL]?: boolean })[TRANSACTIONAL] === true
}
