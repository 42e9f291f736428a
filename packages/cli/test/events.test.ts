import { readFileSync } from 'node:fs'
import { catalogue, eventTypes, parseEvent } from 'aghanim-webhooks'
import { describe, expect, it } from 'vitest'
import { cli } from './helpers/run.js'

describe('events', () => {
  it('lists every catalogue event type with its summary', async () => {
    const run = await cli(['events'])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(eventTypes.length)
    expect(lines.find((line) => line.startsWith('item.add '))).toContain(catalogue['item.add'].summary)
  })

  it('prints type, kind, answer, summary and docs as JSON', async () => {
    const rows = JSON.parse((await cli(['events', '--json'])).stdout)
    expect(rows.map((row: { type: string }) => row.type)).toEqual(eventTypes)
    expect(rows.find((row: { type: string }) => row.type === 'player.verify')).toEqual({
      type: 'player.verify',
      kind: 'decision',
      answer: 'player',
      summary: catalogue['player.verify'].summary,
      docs: catalogue['player.verify'].docs,
    })
  })
})

describe('events --json-schema', () => {
  it('prints the JSON Schema the library ships as aghanim-webhooks/schema.json', async () => {
    const run = await cli(['events', '--json-schema'])
    expect(run.code).toBe(0)
    const shipped = readFileSync(new URL('../../webhooks/schema.json', import.meta.url), 'utf8')
    expect(run.stdout).toBe(shipped)
    expect(JSON.parse(run.stdout).$defs['item.add'].properties.event_type).toEqual({ const: 'item.add' })
  })

  it('refuses --json together with --json-schema', async () => {
    const run = await cli(['events', '--json', '--json-schema'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('not both')
  })
})

describe('fixtures', () => {
  it.each(eventTypes.map((type) => [type]))('prints a valid %s event', async (type) => {
    const run = await cli(['fixtures', type])
    expect(run.code).toBe(0)
    const parsed = parseEvent(JSON.parse(run.stdout))
    expect(parsed.ok && parsed.event.event_type).toBe(type)
  })

  it('uses fresh ids on every call', async () => {
    const [a, b] = await Promise.all([cli(['fixtures', 'item.add']), cli(['fixtures', 'item.add'])])
    expect(JSON.parse(a.stdout).event_id).not.toBe(JSON.parse(b.stdout).event_id)
  })

  it('takes the payload options send takes', async () => {
    const run = await cli([
      'fixtures',
      'order.paid',
      '--player',
      'p1',
      '--set',
      'amount:=199',
      '--timestamp',
      '1725548450',
    ])
    expect(JSON.parse(run.stdout)).toMatchObject({
      event_time: 1725548450,
      event_data: { player_id: 'p1', amount: 199 },
    })
  })

  it('exits 2 for an unknown event type', async () => {
    const run = await cli(['fixtures', 'order.payed'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Did you mean order.paid?')
  })
})
