/** Helpers for testing your own receiver and your own Store. */

export { type DeliveryLogUnderTest, runDeliveryLogConformance } from './delivery-log-conformance.js'
export { type Expectation, type ManualClock, manualClock, type TestFunctions } from './harness.js'
export { type SignedRequestInit, signedRequest } from './signed-request.js'
export { runStoreConformance, type StoreUnderTest } from './store-conformance.js'
