import { createHash } from 'node:crypto'
import type { QueryConfig } from 'pg'

/** Distinct statement texts given a name; texts past it run unnamed (see `Prepared`). */
export const MAX_NAMED = 256

/**
 * Names for the store's hot statements, so that each connection has PostgreSQL parse and plan a statement once
 * and afterwards only binds and executes it (an unnamed statement is parsed again on every call). node-pg
 * prepares a named statement on first use on each connection, so a connection that replaced one lost to a
 * terminated session or a restart prepares its statements again by itself. The name is derived from the text:
 * two stores sharing a pool (different schemas, so different texts) never reuse one name for two statements,
 * which node-pg refuses. Texts built from data rather than placeholders would each cost a prepared statement
 * on every connection, so only the first `MAX_NAMED` distinct texts get a name. Internal.
 */
export class Prepared {
  readonly #names = new Map<string, string>()

  /** The query config for `text` with `values`: named while fewer than MAX_NAMED texts are. */
  query(text: string, values: unknown[]): QueryConfig {
    let name = this.#names.get(text)
    if (name === undefined && this.#names.size < MAX_NAMED) {
      name = statementName(text)
      this.#names.set(text, name)
    }
    return name === undefined ? { text, values } : { name, text, values }
  }
}

/** A prepared statement's name derived from its text: one text, one name, whichever store prepares it. */
export function statementName(text: string): string {
  return `awh_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`
}
