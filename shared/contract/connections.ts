import { z } from 'zod'
import { defineMethods, Empty } from './common'

// Connections to the outside services (My2N, the vendor reset service) and the lab bench in
// one step: the lab writes a connection file, Settings takes it whole.

export const LAB_CONNECTION_FORMAT = 'support-console.lab-connection'

/** The file `support-console lab` writes (0600) while it runs, and removes when it stops. */
export const LabConnection = z.object({
  format: z.literal(LAB_CONNECTION_FORMAT),
  version: z.literal(1),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  seed: z.string(),
  my2n: z.object({ url: z.string().url(), apiKey: z.string().min(1).max(500), siteId: z.string(), siteName: z.string() }),
  vendor: z.object({ url: z.string().url(), apiKey: z.string().min(1).max(500) }),
  devices: z
    .array(
      z.object({
        kind: z.enum(['intercom', 'nvr', 'camera', 'unknown']),
        model: z.string().max(100),
        serial: z.string().max(64),
        mac: z.string().max(32),
        ip: z.string().max(64),
        httpPort: z.number().int().min(1).max(65535),
        httpsPort: z.number().int().min(1).max(65535),
        /** The device's API account (2N: an HTTP API account, not the web admin login). */
        username: z.string().max(100),
        password: z.string().max(200),
      }),
    )
    .max(200),
})
export type LabConnection = z.infer<typeof LabConnection>

/** The outcome of a "Test connection": what works, or exactly what is wrong and what to do. */
export const ConnectionTest = z.object({
  ok: z.boolean(),
  message: z.string(),
  hint: z.string().optional(),
  /** My2N: the account's sites (for choosing the site of a move). */
  sites: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
})
export type ConnectionTest = z.infer<typeof ConnectionTest>

export const connectionMethods = defineMethods({
  'connections.useLab': {
    input: z.object({ file: z.string().max(200_000).optional() }).strict(),
    output: z.object({
      source: z.string(),
      my2n: ConnectionTest,
      vendor: ConnectionTest,
      devices: z.array(z.object({ serial: z.string(), kind: z.string(), ip: z.string(), stored: z.boolean(), problem: z.string().optional() })),
    }),
    summary: 'Take the whole lab bench connection (My2N, vendor service, device credentials) from the running lab or an imported connection file',
  },
  'connections.testMy2n': { input: Empty, output: ConnectionTest, summary: 'Test the configured My2N: address, API key, the account and its sites' },
  'connections.testVendor': { input: Empty, output: ConnectionTest, summary: 'Test the configured lab vendor reset service: address and API key (issues no code)' },
})
