export declare function deliveryFileIndexes(dataDir: string): string[]
