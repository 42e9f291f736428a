/** One Server-Sent Event: its `event:` name (default `message`) and its `data:` lines joined. */
export interface ServerSentEvent {
  event: string
  data: string
}

/**
 * Splits a text/event-stream body into events as they arrive (comments, such as heartbeats, are skipped; `onBytes`
 * hears of every chunk, heartbeats included). Ends when the stream ends; throws when it fails. Internal.
 *
 * @example for await (const { event, data } of serverSentEvents(response.body!, () => {})) console.log(event, data)
 */
export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
  onBytes: () => void,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    onBytes()
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n')
    let end = buffer.indexOf('\n\n')
    while (end !== -1) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const parsed = parseBlock(block)
      if (parsed) yield parsed
      end = buffer.indexOf('\n\n')
    }
  }
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') }
}
