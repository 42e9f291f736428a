import { describe, expect, it } from 'vitest'
import { formatIssues, formatPath, type Issue, type ParseResult, type Schema, s } from '../src/schema.js'

function issuesOf<T>(result: ParseResult<T>): Issue[] {
  if (result.ok) throw new Error('expected the value to be rejected')
  return result.issues
}

function firstMessage<T>(schema: Schema<T>, value: unknown): string {
  return formatIssues(issuesOf(schema.parse(value)))
}

describe('primitive schemas', () => {
  it('accepts values of their type and returns them unchanged', () => {
    expect(s.string().parse('crystals')).toEqual({ ok: true, value: 'crystals' })
    expect(s.number().parse(94.99)).toEqual({ ok: true, value: 94.99 })
    expect(s.integer().parse(9499)).toEqual({ ok: true, value: 9499 })
    expect(s.boolean().parse(false)).toEqual({ ok: true, value: false })
  })

  it('names what was expected and the type received', () => {
    expect(firstMessage(s.string(), 42)).toBe('value: expected string, got number')
    expect(firstMessage(s.number(), '42')).toBe('value: expected number, got string')
    expect(firstMessage(s.boolean(), null)).toBe('value: expected boolean, got null')
    expect(firstMessage(s.string(), [])).toBe('value: expected string, got array')
  })

  it('rejects a fractional number where an integer is expected', () => {
    expect(firstMessage(s.integer(), 1.5)).toBe('value: expected integer, got number')
  })

  it('rejects non-finite numbers', () => {
    expect(firstMessage(s.number(), Number.NaN)).toBe('value: expected number, got NaN')
    expect(firstMessage(s.number(), Number.POSITIVE_INFINITY)).toBe('value: expected number, got Infinity')
  })

  it('enforces string length bounds', () => {
    expect(firstMessage(s.string({ minLength: 1 }), '')).toBe(
      'value: expected non-empty string, got empty string',
    )
    expect(firstMessage(s.string({ maxLength: 3 }), 'abcd')).toBe(
      'value: expected at most 3 characters, got 4',
    )
  })

  it('matches literals and enums exactly', () => {
    expect(s.literal('ok').parse('ok').ok).toBe(true)
    expect(firstMessage(s.literal('ok'), 'error')).toBe('value: expected "ok", got another string')
    expect(firstMessage(s.literal(null), {})).toBe('value: expected null, got object')
    expect(s.enum(['ios', 'android']).parse('ios').ok).toBe(true)
    expect(firstMessage(s.enum(['ios', 'android']), 'web')).toBe(
      'value: expected "ios" | "android", got string',
    )
  })
})

describe('s.object', () => {
  const item = s.object({ sku: s.string(), quantity: s.integer(), note: s.optional(s.nullable(s.string())) })

  it('keeps unknown keys in the output', () => {
    const input = { sku: 'crystals', quantity: 1, added_by_aghanim_later: { nested: true } }
    const result = item.parse(input)
    expect(result).toEqual({ ok: true, value: input })
  })

  it('reports a missing required key by path', () => {
    expect(issuesOf(item.parse({ sku: 'crystals' }))).toEqual([
      { path: ['quantity'], message: 'expected integer, got nothing' },
    ])
  })

  it('lets optional keys be absent or undefined but checks them when present', () => {
    expect(item.parse({ sku: 'a', quantity: 1 }).ok).toBe(true)
    expect(item.parse({ sku: 'a', quantity: 1, note: undefined }).ok).toBe(true)
    expect(item.parse({ sku: 'a', quantity: 1, note: null }).ok).toBe(true)
    expect(firstMessage(item, { sku: 'a', quantity: 1, note: 5 })).toBe(
      'note: expected string | null, got number',
    )
  })

  it('reports every wrong key, each with its own path', () => {
    expect(issuesOf(item.parse({ sku: 1, quantity: 'x' })).map((issue) => issue.path)).toEqual([
      ['sku'],
      ['quantity'],
    ])
  })

  it('rejects arrays and null where an object is expected', () => {
    expect(firstMessage(item, [])).toBe('value: expected object, got array')
    expect(firstMessage(item, null)).toBe('value: expected object, got null')
  })

  it('does not find required keys on the prototype', () => {
    const schema = s.object({ toString: s.string(), constructor: s.string() })
    expect(issuesOf(schema.parse({})).map((issue) => issue.path)).toEqual([['toString'], ['constructor']])
  })

  it('treats an own __proto__ key from JSON as a plain key', () => {
    // A computed key: a literal `__proto__:` in an object literal would set the prototype instead.
    const schema = s.object({ ['__proto__']: s.string() })
    expect(schema.parse(JSON.parse('{"__proto__":"x"}')).ok).toBe(true)
    expect(schema.parse(JSON.parse('{"__proto__":{}}')).ok).toBe(false)
  })

  it('openObject accepts any object and checks only the keys it names', () => {
    expect(s.openObject().parse({ anything: [1, 2] }).ok).toBe(true)
    expect(firstMessage(s.openObject(), 'text')).toBe('value: expected object, got string')
    expect(firstMessage(s.openObject({ id: s.string() }), { other: 1 })).toBe(
      'id: expected string, got nothing',
    )
  })
})

describe('s.array', () => {
  it('names the index of a bad element', () => {
    const schema = s.object({ items: s.array(s.object({ quantity: s.integer() })) })
    const message = firstMessage(schema, { items: [{ quantity: 1 }, { quantity: '2' }] })
    expect(message).toBe('items[1].quantity: expected integer, got string')
  })

  it('rejects a non-array', () => {
    expect(firstMessage(s.array(s.string()), { 0: 'a' })).toBe('value: expected array, got object')
  })
})

describe('s.union', () => {
  const answer = s.union(
    s.object({ status: s.literal('ok'), data: s.array(s.string()) }),
    s.object({ status: s.literal('error'), code: s.enum(['not_found', 'banned']), message: s.string() }),
  )

  it('accepts a value any member accepts', () => {
    expect(answer.parse({ status: 'ok', data: [] }).ok).toBe(true)
    expect(answer.parse({ status: 'error', code: 'banned', message: 'Banned' }).ok).toBe(true)
  })

  it('reports the issues of the member that came closest', () => {
    expect(firstMessage(answer, { status: 'error', code: 'bogus', message: 'x' })).toBe(
      'code: expected "not_found" | "banned", got string',
    )
  })

  it('lists the alternatives when no member accepts the outer type', () => {
    expect(firstMessage(s.union(s.string(), s.integer()), true)).toBe(
      'value: expected string | integer, got boolean',
    )
  })
})

describe('hostile input', () => {
  type Node = { children?: Node[] | null }
  const tree: Schema<Node> = s.object({
    children: s.optional(s.nullable(s.array(s.lazy((): Schema<Node> => tree)))),
  })

  it('caps the depth of recursive schemas instead of overflowing the stack', () => {
    let deep: Node = {}
    for (let level = 0; level < 10_000; level++) deep = { children: [deep] }
    const issues = issuesOf(tree.parse(deep))
    expect(issues).toHaveLength(1)
    expect(issues[0]!.message).toBe('nested deeper than 64 levels')
  })

  it('walks only as deep as the schema, whatever the nesting of the input', () => {
    let deep: unknown = []
    for (let level = 0; level < 10_000; level++) deep = [deep]
    expect(s.openObject({ data: s.array(s.array(s.number())) }).parse({ data: deep }).ok).toBe(false)
    expect(s.openObject().parse({ data: deep }).ok).toBe(true)
  })

  it('stops after a few issues on huge wrong arrays', () => {
    const issues = issuesOf(s.array(s.integer()).parse(Array.from({ length: 100_000 }, () => 'x')))
    expect(issues).toHaveLength(20)
    expect(formatIssues(issues)).toBe('[0]: expected integer, got string (and 19 more+)')
  })

  it('never echoes a value, however long', () => {
    const huge = 'A'.repeat(5_000_000)
    const message = firstMessage(s.object({ amount: s.integer() }), { amount: huge })
    expect(message).toBe('amount: expected integer, got string')
  })

  it('never throws on exotic values', () => {
    const trap = {
      get sku(): string {
        throw new Error('boom')
      },
    }
    expect(issuesOf(s.object({ sku: s.string() }).parse(trap))).toEqual([
      { path: ['sku'], message: 'could not be read' },
    ])
    expect(s.string().parse(Symbol('x')).ok).toBe(false)
    expect(s.object({}).parse(() => 1).ok).toBe(false)
  })
})

describe('Standard Schema v1', () => {
  it('exposes version, vendor and validate', async () => {
    const schema = s.object({ sku: s.string() })
    const standard = schema['~standard']
    expect(standard.version).toBe(1)
    expect(standard.vendor).toBe('aghanim-webhooks')
    expect(await standard.validate({ sku: 'crystals' })).toEqual({ value: { sku: 'crystals' } })
    expect(await standard.validate({ sku: 1 })).toEqual({
      issues: [{ path: ['sku'], message: 'expected string, got number' }],
    })
  })
})

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatPath(['event_data', 'items', 0, 'quantity'])).toBe('event_data.items[0].quantity')
    expect(formatPath([0, 'sku'])).toBe('[0].sku')
  })

  it('quotes keys that are not identifiers and truncates long ones', () => {
    expect(formatPath(['attributes', 'x-y'])).toBe('attributes["x-y"]')
    expect(formatPath(['k'.repeat(100)]).length).toBeLessThan(50)
  })

  it('names the root when the path is empty', () => {
    expect(formatPath([], 'body')).toBe('body')
  })
})
