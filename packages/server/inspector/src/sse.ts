/** One Server-Sent Event: its `event` name (default `message`), joined `data` lines and `id`. */
export interface SseMessage {
  event: string
  data: string
  id: string | undefined
}

/**
 * An incremental text/event-stream parser (the WHATWG rules): feed it decoded chunks as they arrive, it
 * returns the events completed so far. Hand-written because `EventSource` cannot send the admin token in an
 * `Authorization` header, so the page reads the stream with `fetch`.
 *
 * @example
 * const parse = createSseParser()
 * for (const message of parse('event: delivery\ndata: {"id":"d1"}\n\n')) console.log(message.data)
 */
export function createSseParser(): (chunk: string) => SseMessage[] {
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined
  return (chunk) => {
    buffer += chunk
    const messages: SseMessage[] = []
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/)
      // A lone trailing \r may be the first half of \r\n: wait for the next chunk.
      if (end === -1 || (buffer[end] === '\r' && end === buffer.length - 1)) break
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1))
      if (line === '') {
        if (data.length > 0) messages.push({ event: event || 'message', data: data.join('\n'), id })
        event = ''
        data = []
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      let value = colon === -1 ? '' : line.slice(colon + 1)
      if (value.startsWith(' ')) value = value.slice(1)
      if (field === 'event') event = value
      else if (field === 'data') data.push(value)
      else if (field === 'id' && !value.includes('\0')) id = value
    }
    return messages
  }
}
