const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes as `new TextDecoder('utf-8', { fatal: true })` does: one leading BOM dropped, invalid bytes throw. */
export type StrictUtf8Decoder = (bytes: Uint8Array) => string

/** The web-standard decoder, and what another decoder does for bytes that are not UTF-8. */
export const webStrictUtf8: StrictUtf8Decoder = (bytes) => strictUtf8.decode(bytes)
