import { expectTypeOf, test } from 'vitest'
import type * as Page from '../inspector/src/types.js'
import type { DeliveryDetailJson, DeliverySummaryJson } from '../src/deliveries/delivery-json.js'
import type { DeliveryStatsJson } from '../src/deliveries/delivery-stats.js'
import type { HistoryEntry, InventoryLine, Player } from '../src/ledger/ledger.js'
import type { ListenAnswerJson } from '../src/listen/listen-api.js'
import type { ReconcileRunJson } from '../src/reconcile/reconcile-api.js'

// The inspector is compiled for the browser on its own (its own tsconfig, DOM types, no Node), so it keeps a
// copy of the admin API's JSON shapes. Vitest's typecheck mode compiles these assertions (the file is never
// run): a copy that drifts from what the server writes fails the test instead of the page.
test('the inspector reads the JSON the admin API writes, field for field', () => {
  expectTypeOf<Page.DeliverySummary>().toEqualTypeOf<DeliverySummaryJson>()
  expectTypeOf<Omit<Page.DeliveryDetail, 'duplicates'>>().toEqualTypeOf<Omit<DeliveryDetailJson, never>>()
  expectTypeOf<Page.DeliveryDetail['duplicates']>().toEqualTypeOf<DeliverySummaryJson[]>()
  expectTypeOf<Page.DeliveryPage>().toEqualTypeOf<{
    deliveries: DeliverySummaryJson[]
    next_cursor: string | null
  }>()
  expectTypeOf<Page.Player>().toEqualTypeOf<Player>()
  expectTypeOf<Page.InventoryItem>().toEqualTypeOf<InventoryLine>()
  expectTypeOf<Page.HistoryEntry>().toEqualTypeOf<HistoryEntry>()
  expectTypeOf<Page.ListenAnswer>().toEqualTypeOf<ListenAnswerJson>()
  // The page also takes epoch milliseconds for a minute (its chart is reused with them), so it accepts more.
  expectTypeOf<DeliveryStatsJson>().toExtend<Page.DeliveryStats>()
  expectTypeOf<Page.ReconcileRun>().toEqualTypeOf<ReconcileRunJson>()
})
