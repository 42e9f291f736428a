import type { TracerLike } from 'aghanim-webhooks'
import type { TracingConfig } from '../config/config.js'

/** The server's tracer and how to flush what it still holds. */
export interface Tracing {
  tracer: TracerLike
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>
}

/**
 * OpenTelemetry for the server when an OTLP endpoint is set: spans batched and POSTed as OTLP/HTTP (JSON),
 * the active span carried across async calls (so a studio handler's own spans nest under the delivery's),
 * and the provider registered globally for handlers that call `trace.getTracer()`. The SDK is imported only
 * then: a server without an endpoint loads none of it.
 */
export async function startTracing(config: TracingConfig | undefined): Promise<Tracing | undefined> {
  if (!config) return undefined
  const [api, { AsyncLocalStorageContextManager }, sdk, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ])
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: config.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS }),
      }),
    ],
  })
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  api.trace.setGlobalTracerProvider(provider)
  return {
    tracer: provider.getTracer('aghanim-webhooks'),
    shutdown: () => Promise.race([provider.shutdown(), giveUpAfter(LAST_EXPORT_MS)]),
  }
}

// A collector that is down makes the exporter retry within its timeout; shutting down waits at most that.
const EXPORT_TIMEOUT_MS = 3_000
const LAST_EXPORT_MS = EXPORT_TIMEOUT_MS

function giveUpAfter(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
