export declare const BENCH_PLAYERS: readonly string[]
export declare function paddedEvent(envelope: Record<string, unknown>, size: number): string
export declare function playerVerifyBody(index: number, size: number): string
export declare function itemAddBody(index: number, key: string, size: number): string
export declare function signBody(secret: string, timestamp: string, body: string): string
