/**
 * Validates a schema name and returns it quoted for SQL. Names are restricted to letters, digits and `_`
 * (not starting with a digit, at most 63 bytes) so that they are also safe in a connection's search_path
 * option. Internal.
 */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(
      `Invalid schema name ${JSON.stringify(schema)}; use letters, digits and _ (at most 63, not starting with a digit).`,
    )
  }
  return `"${schema}"`
}
