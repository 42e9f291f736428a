/**
 * A tiny validator with TypeScript inference, so the library keeps zero runtime dependencies. Every schema
 * implements Standard Schema v1 (`schema['~standard'].validate`), so it plugs into tools that accept zod,
 * valibot or arktype. Validation never transforms: a successful parse returns the input value itself, with
 * every key it had (objects are open). It never throws, walks only as deep as the schema (with a depth cap
 * for recursive schemas) and stops after a few issues, so hostile input costs little.
 */

/** One validation problem: where it is and what was expected vs received (types only, never the value). */
export interface Issue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: Issue[] }

/** The Standard Schema v1 interface (https://standardschema.dev), declared here to stay dependency-free. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly Issue[] }

/** Internal: the state of one validation run, shared by nested schemas. */
export interface CheckContext {
  path: (string | number)[]
  issues: Issue[]
  depth: number
}

/** A schema for values of type `T`. Build one with `s`; get its type with `Infer<typeof schema>`. */
export interface Schema<T> extends StandardSchemaV1<unknown, T> {
  /** What the schema accepts, as shown in messages: `string`, `integer | null`, `object`. */
  readonly expected: string
  /** True for `s.optional(x)`: the key may be absent from its object. */
  readonly optional: boolean
  /** Internal: the JSON types it can accept, so a union can tell which member a value was meant for. */
  readonly kinds: readonly JsonKind[]
  /** Validates `value`; never throws. */
  parse(value: unknown): ParseResult<T>
  /** Internal: validates in place, pushing issues into `context`. */
  readonly check: (value: unknown, context: CheckContext) => void
  /** Internal: what it accepts, as data; the JSON Schema export is generated from it, validation never reads it. */
  readonly node: SchemaNode
}

/** Internal: the structure of a schema built with `s`, one variant per builder. */
export type SchemaNode =
  | { readonly type: 'string'; readonly minLength: number; readonly maxLength: number }
  | { readonly type: 'number' | 'integer' | 'boolean' }
  | { readonly type: 'literal'; readonly value: string | number | boolean | null }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'union'; readonly members: readonly Schema<unknown>[] }
  | { readonly type: 'optional'; readonly schema: Schema<unknown> }
  | { readonly type: 'array'; readonly items: Schema<unknown> }
  | { readonly type: 'object'; readonly shape: Readonly<Record<string, Schema<unknown>>> }
  | { readonly type: 'lazy'; readonly get: () => Schema<unknown> }

export type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object'

/** The TypeScript type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never

type Shape = Record<string, Schema<unknown>>
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { readonly optional: true } ? K : never
}[keyof S]
type Simplify<T> = { [K in keyof T]: T[K] } & {}
/** The type of `s.object(shape)`: `s.optional` keys become `?:`. */
export type ObjectOf<S extends Shape> = Simplify<
  // Key remapping keeps the mapping homomorphic, so the doc comments written on shape keys reach the type.
  { -readonly [K in keyof S as K extends OptionalKeys<S> ? never : K]: Infer<S[K]> } & {
    -readonly [K in keyof S as K extends OptionalKeys<S> ? K : never]?: Infer<S[K]>
  }
>

const MAX_ISSUES = 20
const MAX_DEPTH = 64

/**
 * Whether a value is valid, without collecting issues: the path every delivery takes. Each schema's test is
 * built once, with the schema, from its members' tests; `check` (paths, messages) runs only for a value the
 * test refused, so both must agree exactly on what is valid. `depth` counts the objects and arrays around it.
 */
type Test = (value: unknown, depth: number) => boolean

// Kept beside the schemas rather than on them, so the `Schema` type stays as it is.
const tests = new WeakMap<Schema<unknown>, Test>()

/** The test of a schema built by `s`; a schema made some other way is tested through its `check`. */
function testOf(schema: Schema<unknown>): Test {
  return (
    tests.get(schema) ??
    ((value, depth) => {
      const context: CheckContext = { path: [], issues: [], depth }
      schema.check(value, context)
      return context.issues.length === 0
    })
  )
}

function make<T>(
  expected: string,
  kinds: readonly JsonKind[],
  node: SchemaNode,
  check: Schema<T>['check'],
  test: Test,
  optional = false,
): Schema<T> {
  const schema: Schema<T> = {
    expected,
    optional,
    kinds,
    check,
    node,
    parse: (value) => run(schema, test, value),
    '~standard': {
      version: 1,
      vendor: 'aghanim-webhooks',
      validate(value) {
        const result = run(schema, test, value)
        return result.ok ? { value: result.value } : { issues: result.issues }
      },
    },
  }
  tests.set(schema, test)
  return schema
}

function run<T>(schema: Schema<T>, test: Test, value: unknown): ParseResult<T> {
  try {
    if (test(value, 0)) return { ok: true, value: value as T }
  } catch {
    // An exotic value (a throwing getter, a proxy): `check` below finds what is wrong with it.
  }
  const context: CheckContext = { path: [], issues: [], depth: 0 }
  try {
    schema.check(value, context)
  } catch {
    // Only exotic values (throwing getters, proxies) get here; JSON.parse output never does.
    report(context, 'could not be read')
  }
  return context.issues.length === 0 ? { ok: true, value: value as T } : { ok: false, issues: context.issues }
}

function report(context: CheckContext, message: string): void {
  if (context.issues.length < MAX_ISSUES) context.issues.push({ path: [...context.path], message })
}

function mismatch(context: CheckContext, expected: string, value: unknown): void {
  report(context, `expected ${expected}, got ${describe(value)}`)
}

/** The received type, as named in messages. Never the value itself: it may be huge or secret. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'string') return value === '' ? 'empty string' : 'string'
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value)
  return typeof value
}

function kindOf(value: unknown): JsonKind | undefined {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  const type = typeof value
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'object' ? type : undefined
}

function primitive<T>(
  expected: string,
  kind: JsonKind,
  node: SchemaNode,
  accepts: (value: unknown) => boolean,
): Schema<T> {
  return make<T>(
    expected,
    [kind],
    node,
    (value, context) => {
      if (!accepts(value)) mismatch(context, expected, value)
    },
    (value) => accepts(value),
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nested(context: CheckContext, visit: () => void): void {
  if (context.depth >= MAX_DEPTH) {
    report(context, `nested deeper than ${MAX_DEPTH} levels`)
    return
  }
  context.depth++
  try {
    visit()
  } finally {
    context.depth--
  }
}

function objectSchema<T>(shape: Shape): Schema<T> {
  const keys = Object.keys(shape)
  const keyTests = keys.map((key) => testOf(shape[key]!))
  return make<T>(
    'object',
    ['object'],
    { type: 'object', shape },
    (value, context) => {
      if (!isObject(value)) return mismatch(context, 'object', value)
      nested(context, () => {
        for (const key of keys) {
          if (context.issues.length >= MAX_ISSUES) return
          // Own keys only: `constructor` or `toString` must not be found on the prototype.
          context.path.push(key)
          shape[key]!.check(Object.hasOwn(value, key) ? value[key] : undefined, context)
          context.path.pop()
        }
      })
    },
    (value, depth) => {
      if (!isObject(value) || depth >= MAX_DEPTH) return false
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!
        if (!keyTests[i]!(Object.hasOwn(value, key) ? value[key] : undefined, depth + 1)) return false
      }
      return true
    },
  )
}

function string(options: { minLength?: number; maxLength?: number } = {}): Schema<string> {
  const { minLength = 0, maxLength = Number.POSITIVE_INFINITY } = options
  const expected =
    minLength === 0
      ? 'string'
      : minLength === 1
        ? 'non-empty string'
        : `string of at least ${minLength} characters`
  return make<string>(
    expected,
    ['string'],
    { type: 'string', minLength, maxLength },
    (value, context) => {
      if (typeof value !== 'string') return mismatch(context, expected, value)
      if (value.length < minLength) return mismatch(context, expected, value)
      if (value.length > maxLength)
        report(context, `expected at most ${maxLength} characters, got ${value.length}`)
    },
    (value) => typeof value === 'string' && value.length >= minLength && value.length <= maxLength,
  )
}

function literal<const V extends string | number | boolean | null>(expected: V): Schema<V> {
  const shown = JSON.stringify(expected)
  const kind = kindOf(expected)!
  return make<V>(
    shown,
    [kind],
    { type: 'literal', value: expected },
    (value, context) => {
      if (value === expected) return
      report(
        context,
        `expected ${shown}, got ${kindOf(value) === kind ? `another ${describe(value)}` : describe(value)}`,
      )
    },
    (value) => value === expected,
  )
}

function union<const M extends readonly Schema<unknown>[]>(...members: M): Schema<Infer<M[number]>> {
  const expected = members.map((member) => member.expected).join(' | ')
  const kinds = [...new Set(members.flatMap((member) => member.kinds))]
  const memberTests = members.map(testOf)
  return make<Infer<M[number]>>(
    expected,
    kinds,
    { type: 'union', members },
    (value, context) => {
      const kind = kindOf(value)
      let best: Issue[] | undefined
      for (const member of members) {
        const scratch: CheckContext = { path: context.path, issues: [], depth: context.depth }
        member.check(value, scratch)
        if (scratch.issues.length === 0) return
        // The issues of a member made for this JSON type ("too long", "code: expected …") are the useful ones.
        if (kind && member.kinds.includes(kind) && (!best || scratch.issues.length < best.length))
          best = scratch.issues
      }
      if (!best) return mismatch(context, expected, value)
      for (const issue of best) if (context.issues.length < MAX_ISSUES) context.issues.push(issue)
    },
    (value, depth) => memberTests.some((test) => test(value, depth)),
  )
}

/**
 * Schema builders.
 *
 * @example
 * const item = s.object({ sku: s.string(), quantity: s.integer(), note: s.optional(s.nullable(s.string())) })
 * type Item = Infer<typeof item> // { sku: string; quantity: number; note?: string | null | undefined }
 * item.parse({ sku: 'crystals', quantity: '5' }) // { ok: false, issues: [{ path: ['quantity'], message: 'expected integer, got string' }] }
 */
export const s = {
  /** A string; `minLength`/`maxLength` bound its length in UTF-16 code units. */
  string,
  /** A finite number. */
  number: () =>
    primitive<number>(
      'number',
      'number',
      { type: 'number' },
      (value) => typeof value === 'number' && Number.isFinite(value),
    ),
  /** A whole number (JSON numbers like `5.0` count). */
  integer: () =>
    primitive<number>('integer', 'number', { type: 'integer' }, (value) => Number.isInteger(value)),
  boolean: () =>
    primitive<boolean>('boolean', 'boolean', { type: 'boolean' }, (value) => typeof value === 'boolean'),
  /** Exactly this value. */
  literal,
  /** One of these strings. */
  enum: <const V extends readonly [string, ...string[]]>(values: V): Schema<V[number]> => {
    const expected = values.map((value) => JSON.stringify(value)).join(' | ')
    return primitive<V[number]>(expected, 'string', { type: 'enum', values }, (value) =>
      values.includes(value as string),
    )
  },
  /** `x` or null. */
  nullable: <T>(schema: Schema<T>): Schema<T | null> => union(schema, literal(null)),
  /** Marks an object key that may be absent (absent and `undefined` are the same here). */
  optional: <T>(schema: Schema<T>): Schema<T | undefined> & { readonly optional: true } => {
    const test = testOf(schema)
    return make<T | undefined>(
      schema.expected,
      schema.kinds,
      { type: 'optional', schema },
      (value, context) => {
        if (value !== undefined) schema.check(value, context)
      },
      (value, depth) => value === undefined || test(value, depth),
      true,
    ) as Schema<T | undefined> & { readonly optional: true }
  },
  /** An array whose every element matches `schema`. */
  array: <T>(schema: Schema<T>): Schema<T[]> => {
    const test = testOf(schema)
    return make<T[]>(
      'array',
      ['array'],
      { type: 'array', items: schema },
      (value, context) => {
        if (!Array.isArray(value)) return mismatch(context, 'array', value)
        nested(context, () => {
          for (let index = 0; index < value.length && context.issues.length < MAX_ISSUES; index++) {
            context.path.push(index)
            schema.check(value[index], context)
            context.path.pop()
          }
        })
      },
      (value, depth) => {
        if (!Array.isArray(value) || depth >= MAX_DEPTH) return false
        for (let index = 0; index < value.length; index++) if (!test(value[index], depth + 1)) return false
        return true
      },
    )
  },
  /**
   * An object with these keys. Unknown keys are allowed and kept at run time (Aghanim adds fields), but the
   * type lists only the known ones, so a typo in a key is a compile error. Use `openObject` to type extras too.
   */
  object: <S extends Shape>(shape: S): Schema<ObjectOf<S>> => objectSchema(shape),
  /** Any JSON object, optionally with some known keys; its type admits any other key (as `unknown`). */
  openObject: <S extends Shape = Record<never, never>>(
    shape?: S,
  ): Schema<Simplify<ObjectOf<S> & Record<string, unknown>>> => objectSchema(shape ?? {}),
  /** The first member that matches; on failure, the issues of the member that came closest. */
  union,
  /** A schema that refers to itself (e.g. bundles of items); recursion is depth-capped. */
  lazy: <T>(get: () => Schema<T>, expected = 'object', kinds: readonly JsonKind[] = ['object']): Schema<T> =>
    make<T>(
      expected,
      kinds,
      { type: 'lazy', get },
      (value, context) => get().check(value, context),
      (value, depth) => testOf(get())(value, depth),
    ),
}

/** `event_data.items[0].quantity` from `['event_data', 'items', 0, 'quantity']`; `root` names the empty path. */
export function formatPath(path: readonly (string | number)[], root = 'value'): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else if (key.length <= 40 && /^[A-Za-z_$][\w$]*$/.test(key)) text += text === '' ? key : `.${key}`
    else text += `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`
  }
  return text === '' ? root : text
}

/** One line for people: the first issue with its path, and how many more there are. */
export function formatIssues(issues: readonly Issue[], root = 'value'): string {
  const [first] = issues
  if (!first) return 'valid'
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more${issues.length >= MAX_ISSUES ? '+' : ''})` : ''
  return `${formatPath(first.path, root)}: ${first.message}${more}`
}
