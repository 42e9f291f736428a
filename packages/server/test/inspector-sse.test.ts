import { describe, expect, it } from 'vitest'
import { createSseParser } from '../inspector/src/sse.js'

describe('the inspector’s event-stream parser', () => {
  it('reads a named event with JSON data', () => {
    const parse = createSseParser()
    expect(parse('event: delivery\ndata: {"id":"d1"}\n\n')).toEqual([
      { event: 'delivery', data: '{"id":"d1"}', id: undefined },
    ])
  })

  it('completes an event split across chunks anywhere, even inside a CRLF', () => {
    const parse = createSseParser()
    const text = 'event: delivery\r\ndata: {"id":"d2"}\r\n\r\n'
    const events = [...text].flatMap((char) => parse(char))
    expect(events).toEqual([{ event: 'delivery', data: '{"id":"d2"}', id: undefined }])
  })

  it('joins several data lines with newlines and keeps the last id', () => {
    const parse = createSseParser()
    expect(parse('id: 7\ndata: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: '7' }])
  })

  it('ignores comments (the server’s keep-alives) and events without data', () => {
    const parse = createSseParser()
    expect(parse(': ping\n\nevent: delivery\n\n: ping\n\n')).toEqual([])
  })

  it('resets the event name after each event', () => {
    const parse = createSseParser()
    const events = parse('event: delivery\ndata: 1\n\ndata: 2\n\n')
    expect(events.map((event) => event.event)).toEqual(['delivery', 'message'])
  })

  it('keeps a value’s own leading spaces after the first one', () => {
    const parse = createSseParser()
    expect(parse('data:   x\n\n')[0]?.data).toBe('  x')
  })

  it('holds an unterminated event until its blank line arrives', () => {
    const parse = createSseParser()
    expect(parse('data: late\n')).toEqual([])
    expect(parse('\n')).toEqual([{ event: 'message', data: 'late', id: undefined }])
  })
})
