import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { eventTypes } from '../src/events/catalogue.js'
import { parseEvent } from '../src/events/envelope.js'
import { fixtureEvent } from '../src/events/fixtures.js'
import { eventsJsonSchema, eventsJsonSchemaText } from '../src/events/json-schema.js'

const shipped = readFileSync(new URL('../schema.json', import.meta.url), 'utf8')
// Strict mode: an unknown keyword or a malformed schema is an error, not silently ignored.
const ajv = new Ajv2020({ strict: true, allErrors: true })
const validate = ajv.compile(JSON.parse(shipped))

type Json = Record<string, unknown>

/** Every way to put a value of the wrong JSON type at each key of `event_data`, one key at a time. */
function wrongTypedVariants(event: Json): { path: string; event: Json }[] {
  const variants: { path: string; event: Json }[] = []
  const visit = (value: unknown, path: (string | number)[]) => {
    if (value === null || typeof value !== 'object') return
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key]
      for (const wrong of [7, 'text', true, [], {}]) {
        if (typeof wrong === typeof child && Array.isArray(wrong) === Array.isArray(child)) continue
        const copy = structuredClone(event)
        let target: Json = copy
        for (const step of at.slice(0, -1)) target = target[step] as Json
        target[at.at(-1)!] = wrong
        variants.push({ path: `${at.join('.')} = ${JSON.stringify(wrong)}`, event: copy })
      }
      visit(child, at)
    }
  }
  visit(event.event_data, ['event_data'])
  return variants
}

describe('the catalogue as JSON Schema (aghanim-webhooks/schema.json)', () => {
  it('is the one generated from the catalogue (run `npm run gen:events` to update it)', () => {
    expect(shipped).toBe(eventsJsonSchemaText())
  })

  it('is draft 2020-12 with a $defs envelope per event type and a oneOf over them', () => {
    const schema = eventsJsonSchema() as {
      $schema: string
      oneOf: { $ref: string }[]
      $defs: Record<string, Json>
    }
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.oneOf.map((entry) => entry.$ref)).toEqual(eventTypes.map((type) => `#/$defs/${type}`))
    for (const type of eventTypes) {
      expect(schema.$defs[type]).toMatchObject({
        type: 'object',
        required: ['event_type', 'event_data', 'event_id'],
        properties: { event_type: { const: type } },
      })
      expect(schema.$defs[type]!.description).toMatch(/ https:\/\/docs\.aghanim\.com\//)
    }
  })

  it.each(eventTypes)('validates the %s fixture with ajv', (type) => {
    const event = fixtureEvent(type)
    expect(validate(event), ajv.errorsText(validate.errors)).toBe(true)
  })

  it('allows unknown extra fields where the library does, and refuses an unknown event type', () => {
    const event = fixtureEvent('item.add') as unknown as Json
    const extended = {
      ...event,
      new_field: 1,
      event_data: { ...(event.event_data as Json), added_later: 'x' },
    }
    expect(validate(extended)).toBe(true)
    expect(parseEvent(extended).ok).toBe(true)
    expect(validate({ ...event, event_type: 'item.added' })).toBe(false)
  })

  it('refuses a wrong-typed field', () => {
    const event = fixtureEvent('item.add') as unknown as { event_data: { items: Json[] } }
    event.event_data.items[0]!.quantity = '5'
    expect(validate(event)).toBe(false)
    expect(ajv.errorsText(validate.errors)).toContain('/event_data/items/0/quantity must be integer')
  })

  const verdicts = (type: (typeof eventTypes)[number]) =>
    wrongTypedVariants(fixtureEvent(type) as unknown as Json).map(({ path, event }) => ({
      path,
      schema: validate(event),
      library: parseEvent(event).ok,
    }))

  it.each(eventTypes)('agrees with the library on every wrong-typed event_data field of %s', (type) => {
    expect(verdicts(type).filter((verdict) => verdict.schema !== verdict.library)).toEqual([])
  })

  it('is not agreeing vacuously: both refuse most wrong-typed fields (open payloads accept them)', () => {
    const all = eventTypes.flatMap(verdicts)
    const refused = all.filter((verdict) => !verdict.schema && !verdict.library)
    expect(refused.length).toBeGreaterThan(all.length / 2)
  })
})
