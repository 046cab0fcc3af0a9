import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// Unit and service tests run in plain Node (no Electron); e2e/ is Playwright's.
export default defineConfig({
  test: {
    include: ['{shared,db,electron,lab,scripts,renderer}/**/*.test.ts'],
    exclude: ['node_modules', 'out', 'e2e'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Lab benches started by tests write their connection file here, not over the one of a
    // bench the developer runs by hand.
    env: { SUPPORT_CONSOLE_LAB_FILE: join(tmpdir(), `sc-test-lab-connection-${process.pid}.json`) },
  },
})
