import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Tracks every socket and how many requests it has in flight, so shutdown can close idle sockets at once —
 * including ones that connected but never sent a request, which Node's own `closeIdleConnections` does not
 * see — and close each busy one as soon as its last response is written. Internal.
 */
export function trackConnections(server: Server): { closeIdle(): void; closeAll(): void } {
  const active = new Map<Socket, number>()
  let closing = false

  server.on('connection', (socket: Socket) => {
    active.set(socket, 0)
    socket.once('close', () => active.delete(socket))
  })
  server.on('request', (req, res) => {
    const socket = req.socket
    active.set(socket, (active.get(socket) ?? 0) + 1)
    res.once('close', () => {
      // An aborted response closes after its socket: re-adding the socket here would keep it forever.
      if (!active.has(socket)) return
      const left = (active.get(socket) ?? 1) - 1
      active.set(socket, left)
      if (closing && left === 0) socket.end()
    })
  })

  return {
    closeIdle() {
      closing = true
      for (const [socket, requests] of active) if (requests === 0) socket.end()
    },
    closeAll() {
      for (const socket of active.keys()) socket.destroy()
    },
  }
}
