export interface FsyncTiming {
  thread: 'loop' | 'other'
  file: 'wal' | 'db' | 'other'
  perSecond: number
  p50: number
  p99: number
  max: number
}

export declare function fsyncTimingEnv(file: string, base?: Record<string, string>): Record<string, string>
export declare function resetFsyncTiming(file: string): void
export declare function summarizeFsyncTiming(file: string, seconds: number): FsyncTiming[]
