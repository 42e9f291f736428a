export declare function freePort(): Promise<number>
export declare function startProcess(options: {
  command: string
  args: string[]
  env?: Record<string, string>
  cpus?: string
  cwd?: string
  logFile: string
  readyUrl: string
  timeoutMs?: number
}): Promise<{ pid: number; readyMs: number; stop(): Promise<void> }>
export declare function rssOfTree(pid: number): { pid: number; rss: number }[]
export declare function sampleRss(pid: number, everyMs?: number): { stop(): number }
export declare function cpuOfTree(pid: number): number
