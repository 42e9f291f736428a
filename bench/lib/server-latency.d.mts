export interface ServerLatency {
  count: number
  p50: number
  p99: number
  max: number
}

export declare function serverLatency(
  target: { dataDir?: string; base: string },
  since: number,
  until: number,
): Promise<ServerLatency | undefined>
