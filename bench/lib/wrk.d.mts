export declare const WRK_INSTALL_HINT: string

export interface WrkResult {
  requests: number
  seconds: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  badStatus: number
  socketErrors: number
  wraps: number
}

export declare function hasWrk(): boolean
export declare function runWrk(options: {
  url: string
  pool: string
  connections: number
  seconds: number
  threads?: number
  cpus?: string
}): Promise<WrkResult>
export declare function parseWrkOutput(stdout: string): WrkResult
