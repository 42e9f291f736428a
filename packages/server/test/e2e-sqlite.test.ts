import { describeServerEndToEnd } from './support/e2e-suite.js'

describeServerEndToEnd('SQLite', async () => ({ env: {}, cleanup: async () => {} }))
