/** Helpers for testing your own receiver and your own Store. */

// Also on the root entry; here too, so a test file needs one import for a realistic, signed event.
export { type DeepPartial, type FixtureOptions, fixtureEvent } from '../events/fixtures.js'
export { deliveryInput } from './delivery-input.js'
export { type DeliveryLogUnderTest, runDeliveryLogConformance } from './delivery-log-conformance.js'
export { type Expectation, type ManualClock, manualClock, type TestFunctions } from './harness.js'
export { type SignedRequestInit, signedRequest } from './signed-request.js'
export { runStoreConformance, type StoreUnderTest } from './store-conformance.js'
