import { HttpError } from '../errors/server-errors.js'

/** A list route's `?limit=`: a whole number from 1 to `max`, `fallback` when absent; otherwise a 400. Internal. */
export function queryLimit(params: URLSearchParams, fallback: number, max: number): number {
  const limit = Number(params.get('limit') ?? fallback)
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new HttpError('invalid_query', `limit must be 1 to ${max}.`)
  return limit
}
