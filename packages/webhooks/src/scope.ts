/**
 * What a receiver does with sandbox deliveries (`sandbox: true`): `accept` treats them like live ones (one
 * idempotency space, the handler reads `context.sandbox`), `separate` gives them idempotency keys (and, in the
 * server, a ledger) of their own, `reject` refuses them with 403 `sandbox_not_accepted`.
 */
export type SandboxPolicy = 'accept' | 'separate' | 'reject'

/**
 * The ledger scope of a delivery: its game's id, with `:sandbox` for a sandbox kept apart. `''` is the live
 * ledger of the one unnamed game of a receiver configured with a single `secret`, and `':sandbox'` its sandbox.
 * Game ids hold no `:` or `/`, so scopes never collide.
 *
 * @example ledgerScope('gm_a', true) // 'gm_a:sandbox'
 */
export function ledgerScope(game: string | null, sandbox: boolean): string {
  return sandbox ? `${game ?? ''}:sandbox` : (game ?? '')
}

/**
 * The key a delivery is deduplicated under in the idempotency store: its key within its scope. The unnamed live
 * scope keeps keys exactly as they are, so a single-secret receiver's stored keys stay valid.
 *
 * @example scopedKey('gm_a', 'idmpt_1') // 'gm_a/idmpt_1'
 */
export function scopedKey(scope: string, key: string): string {
  return scope === '' ? key : `${scope}/${key}`
}
