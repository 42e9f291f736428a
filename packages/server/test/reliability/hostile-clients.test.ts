import { describe } from 'vitest'
import { describeAbuse } from './support/abuse-suite.js'
import { describeHttpFuzz } from './support/http-fuzz-suite.js'

// Concurrent: the abuse suite spends most of its time waiting for the server's 10 s and 30 s deadlines, which
// the fuzz run fills. Each has its own server process.
describe.concurrent('hostile clients', () => {
  describeHttpFuzz()
  describeAbuse()
})
