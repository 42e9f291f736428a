export declare function writePool(
  file: string,
  options: {
    kind: 'verify' | 'unique' | 'duplicate'
    size: number
    bodyBytes: number
    secret: string
    keys?: number
    now?: () => number
  },
): Promise<number>
