import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ListenMode } from '../config/config.js'
import { LOGGED_ANSWER_CHARS, relayAnswer } from '../forward/relay-answer.js'
import type { UpstreamAnswer } from '../forward/upstream.js'
import { UpstreamFailure } from '../forward/upstream.js'
import { filterTakes } from './event-filter.js'
import type { ListenAnswer } from './listen-answers.js'
import { type DeliveryCopy, deliveryFrame } from './listen-frame.js'

/** A connected listener, as every process knows it. */
export interface ListenerInfo {
  id: string
  /** Its `--events` patterns; empty takes every event. */
  events: string[]
  connectedAt: number
  name: string
  target: string
}

/** What a listener reports for one delivery (`POST /api/listen/answers`). */
export interface ReportedAnswer {
  ticket: string
  /** The local receiver's status and body; null when it gave none (`error` says why). */
  status: number | null
  body: string | null
  durationMs: number
  error: string | null
}

/** How a `--workers` process reaches the listeners connected to the others (through the primary). */
export interface ListenCluster {
  attach(local: {
    /** The listeners of every process, whenever they change. */
    directory(listeners: ListenerInfo[]): void
    /** A frame for a listener this process holds. */
    deliver(listenerId: string, frame: string): void
    /** An answer whose ticket another process may hold. */
    answer(answer: ReportedAnswer): void
  }): void
  /** This process's listeners changed; resolves once every process knows. */
  announce(listeners: ListenerInfo[]): Promise<void>
  deliver(listenerId: string, frame: string): void
  answer(answer: ReportedAnswer): void
}

export type TunnelResult = { answer: UpstreamAnswer } | { failure: UpstreamFailure }

/** What Aghanim is answered with a tunnelled delivery's reported answer (a 502 when it is not a valid one). */
export interface TunnelVerdict {
  status: number
  error: string | null
}

/** How `answer` handled a report: here (with the tunnel's verdict), relayed to the other processes, or unknown. */
export type AnswerOutcome =
  | { kind: 'handled'; verdict: TunnelVerdict | null }
  | { kind: 'relayed' }
  | { kind: 'unknown' }

/**
 * The listeners of `aghanim-webhooks listen`: their event streams (`GET /api/listen`), the copies of deliveries they
 * are sent, and the answers they report (`POST /api/listen/answers`), matched to their delivery by a ticket this
 * process issued. Mirror copies are sent after the server answered; a tunnelled delivery waits for its ticket's
 * answer. With `--workers`, listeners connected to other processes are reached through the primary. Internal.
 */
export interface ListenHub {
  readonly mode: ListenMode
  /** Whether any process has a listener: checked per delivery, so nothing else is done without one. */
  readonly active: boolean
  /** Whether a connected listener takes this event type. */
  wants(eventType: string): boolean
  attach(req: IncomingMessage, res: ServerResponse, listener: Omit<ListenerInfo, 'id' | 'connectedAt'>): void
  /** Sends a copy of an answered delivery to every listener that takes it. */
  mirror(copy: DeliveryCopy): void
  /**
   * Sends the delivery to the newest listener that takes it (the others get copies) and resolves with its answer,
   * or a failure (timed out, the listener left, the local receiver gave none); undefined when no listener takes it.
   */
  tunnel(copy: DeliveryCopy): Promise<TunnelResult | undefined>
  /** Handles a reported answer: here, relayed to the other processes, or unknown (no such ticket). */
  answer(answer: ReportedAnswer): AnswerOutcome
  readonly size: number
  closeAll(): void
}

export interface ListenHubDeps {
  mode: ListenMode
  timeoutMs: number
  now: () => number
  record: (answer: ListenAnswer) => void
  cluster?: ListenCluster
  heartbeatMs?: number
}

/** A listener too slow to read its stream is dropped (it reconnects) rather than buffered without end. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024
/** How long a mirror copy's ticket waits for its answer (the CLI gives up on its receiver after 30 s). */
const MIRROR_TICKET_MS = 60_000
/** A tunnel's ticket outlives its timeout a little, so a late answer is still recorded. */
const LATE_ANSWER_MS = 30_000

interface Local {
  info: ListenerInfo
  res: ServerResponse
  stop: () => void
}

interface Ticket {
  deliveryId: string
  eventType: string
  mode: 'mirror' | 'tunnel'
  listener: ListenerInfo
  startedAt: number
  timer: NodeJS.Timeout
  /** A tunnel's waiting delivery; cleared once it settled (answered, timed out, or its listener left). */
  settle?: (result: TunnelResult) => void
}

export function createListenHub(deps: ListenHubDeps): ListenHub {
  const heartbeatMs = deps.heartbeatMs ?? 10_000
  const tag = randomBytes(4).toString('hex')
  let sequence = 0
  const locals = new Map<string, Local>()
  let remote: ListenerInfo[] = []
  let active = false
  const tickets = new Map<string, Ticket>()

  const refresh = () => {
    active = remote.length > 0 || locals.size > 0
    // A tunnel waiting on a listener that left fails now rather than at its timeout.
    for (const [id, ticket] of tickets) {
      if (ticket.settle && !known(ticket.listener.id))
        settleTicket(id, {
          failure: new UpstreamFailure('reset', 'The listener disconnected before answering.'),
        })
    }
  }
  const known = (id: string) => locals.has(id) || remote.some((info) => info.id === id)
  const announce = () => deps.cluster?.announce([...locals.values()].map((local) => local.info))

  deps.cluster?.attach({
    directory(listeners) {
      // This process's own listeners are reached directly, even one the directory still lists after it left.
      remote = listeners.filter((info) => !info.id.startsWith(`${tag}-`))
      refresh()
    },
    deliver(listenerId, frame) {
      const local = locals.get(listenerId)
      if (local) send(local, frame)
    },
    answer(answer) {
      if (tickets.has(answer.ticket)) handle(answer)
    },
  })

  const remove = (id: string) => {
    const local = locals.get(id)
    if (!local) return
    locals.delete(id)
    local.stop()
    refresh()
    void announce()
  }

  function send(local: Local, frame: string): void {
    if (!locals.has(local.info.id)) return
    if (local.res.writableLength > MAX_BUFFERED_BYTES) {
      remove(local.info.id)
      local.res.destroy()
      return
    }
    local.res.write(frame)
  }

  /** Every listener that takes this type, newest first. */
  const takers = (eventType: string): ListenerInfo[] => {
    const all = [...remote, ...[...locals.values()].map((local) => local.info)]
    return all
      .filter((info) => filterTakes(info.events, eventType))
      .sort((a, b) => b.connectedAt - a.connectedAt || (a.id < b.id ? 1 : -1))
  }

  const issue = (copy: DeliveryCopy, listener: ListenerInfo, mode: Ticket['mode'], waitMs: number) => {
    const id = `${tag}.${++sequence}`
    const timer = setTimeout(() => expire(id), waitMs)
    timer.unref()
    tickets.set(id, {
      deliveryId: copy.deliveryId,
      eventType: copy.eventType,
      mode,
      listener,
      startedAt: deps.now(),
      timer,
    })
    return id
  }

  const dispatch = (listener: ListenerInfo, frame: string) => {
    const local = locals.get(listener.id)
    if (local) send(local, frame)
    else deps.cluster?.deliver(listener.id, frame)
  }

  const sendCopy = (copy: DeliveryCopy, listener: ListenerInfo) => {
    const ticket = issue(copy, listener, 'mirror', MIRROR_TICKET_MS)
    dispatch(listener, deliveryFrame(copy, ticket, 'mirror'))
  }

  function expire(id: string): void {
    const ticket = tickets.get(id)
    if (!ticket) return
    if (ticket.settle) {
      const failure = new UpstreamFailure(
        'timeout',
        `The listener did not answer within ${deps.timeoutMs} ms.`,
      )
      record(ticket, {
        status: null,
        body: null,
        durationMs: deps.now() - ticket.startedAt,
        error: failure.message,
      })
      ticket.settle({ failure })
      ticket.settle = undefined
      ticket.timer = setTimeout(() => tickets.delete(id), LATE_ANSWER_MS)
      ticket.timer.unref()
      return
    }
    tickets.delete(id)
  }

  function settleTicket(id: string, result: TunnelResult): void {
    const ticket = tickets.get(id)
    if (!ticket?.settle) return
    ticket.settle(result)
    ticket.settle = undefined
    if ('failure' in result) {
      clearTimeout(ticket.timer)
      tickets.delete(id)
      record(ticket, {
        status: null,
        body: null,
        durationMs: deps.now() - ticket.startedAt,
        error: result.failure.message,
      })
    }
  }

  function record(ticket: Ticket, answer: Omit<ReportedAnswer, 'ticket'>): void {
    deps.record({
      deliveryId: ticket.deliveryId,
      mode: ticket.mode,
      listener: ticket.listener.name,
      target: ticket.listener.target,
      startedAt: ticket.startedAt,
      durationMs: answer.durationMs,
      status: answer.status,
      error: answer.error,
      answer: answer.body === null ? null : answer.body.slice(0, LOGGED_ANSWER_CHARS),
    })
  }

  function handle(answer: ReportedAnswer): TunnelVerdict | null {
    const ticket = tickets.get(answer.ticket)
    if (!ticket) return null
    clearTimeout(ticket.timer)
    tickets.delete(answer.ticket)
    const late = ticket.mode === 'tunnel' && !ticket.settle
    record(ticket, {
      ...answer,
      error: late ? `answered after the server gave up (${deps.timeoutMs} ms)` : answer.error,
    })
    if (!ticket.settle) return null
    const result: TunnelResult =
      answer.status === null
        ? { failure: new UpstreamFailure('failed', answer.error ?? 'The local receiver gave no answer.') }
        : { answer: { status: answer.status, body: Buffer.from(answer.body ?? '', 'utf8') } }
    ticket.settle(result)
    ticket.settle = undefined
    return verdictOf(ticket.eventType, result)
  }

  return {
    mode: deps.mode,
    get active() {
      return active
    },
    get size() {
      return locals.size
    },
    wants(eventType) {
      if (!active) return false
      for (const info of remote) if (filterTakes(info.events, eventType)) return true
      for (const local of locals.values()) if (filterTakes(local.info.events, eventType)) return true
      return false
    },
    attach(req, res, listener) {
      const info: ListenerInfo = {
        ...listener,
        id: `${tag}-${randomBytes(6).toString('hex')}`,
        connectedAt: deps.now(),
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      const heartbeat = setInterval(() => send(local, ': heartbeat\n\n'), heartbeatMs)
      heartbeat.unref()
      const local: Local = { info, res, stop: () => clearInterval(heartbeat) }
      locals.set(info.id, local)
      const socket = req.socket
      socket.setTimeout(0)
      res.on('close', () => {
        remove(info.id)
        socket.destroy()
      })
      refresh()
      // The ready event goes out once every process knows this listener, so it misses no delivery after it.
      void Promise.resolve(announce()).then(() => {
        if (!locals.has(info.id)) return
        const ready = {
          listener: info.id,
          mode: deps.mode,
          events: info.events,
          timeout_ms: deps.timeoutMs,
          heartbeat_ms: heartbeatMs,
        }
        res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify(ready)}\n\n`)
      })
    },
    mirror(copy) {
      for (const listener of takers(copy.eventType)) sendCopy(copy, listener)
    },
    tunnel(copy) {
      const [chosen, ...others] = takers(copy.eventType)
      if (!chosen) return Promise.resolve(undefined)
      for (const other of others) sendCopy(copy, other)
      return new Promise<TunnelResult>((resolve) => {
        const ticket = issue(copy, chosen, 'tunnel', deps.timeoutMs)
        tickets.get(ticket)!.settle = resolve
        dispatch(chosen, deliveryFrame(copy, ticket, 'tunnel', deps.timeoutMs))
      })
    },
    answer(answer) {
      if (tickets.has(answer.ticket)) return { kind: 'handled', verdict: handle(answer) }
      if (deps.cluster) {
        deps.cluster.answer(answer)
        return { kind: 'relayed' }
      }
      return { kind: 'unknown' }
    },
    closeAll() {
      for (const [id, local] of [...locals]) {
        remove(id)
        local.res.end()
      }
      for (const [id, ticket] of tickets) {
        clearTimeout(ticket.timer)
        ticket.settle?.({ failure: new UpstreamFailure('reset', 'The server is shutting down.') })
        tickets.delete(id)
      }
    },
  }
}

/** The tunnel router's relay, run ahead on the same answer so the listener can say what Aghanim got. */
function verdictOf(eventType: string, result: TunnelResult): TunnelVerdict {
  if ('failure' in result) return { status: 502, error: result.failure.message }
  try {
    return { status: relayAnswer(eventType, result.answer).status, error: null }
  } catch (error) {
    return { status: (error as { status?: number }).status ?? 502, error: (error as Error).message }
  }
}
