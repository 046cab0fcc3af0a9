import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defaultDataDir } from '../../infra/data-dir'
import { RENDERER_DIR } from '../../infra/paths'
import { startBrowserConsole } from '../../host/browser-host'
import { intOption, parse, type Command } from '../command'

export const DEFAULT_PORT = 4780

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the console UI on http://127.0.0.1 (browser mode)',
  help: `Usage: support-console serve [--port N] [--data-dir DIR]

Serves the console on http://127.0.0.1:<port> and prints a URL with a token.
Open that URL in a browser; the page trades the token (in the URL fragment, never sent
to a server) for a session it keeps per tab. Sessions end after 12 h idle and when
the console stops.

Options:
  --port N        Port on 127.0.0.1 (default ${DEFAULT_PORT}; if taken, the next free one is used).
                  With an explicit --port, a taken port is an error. 0 = any free port.
  --data-dir DIR  Folder of the database (default: $SUPPORT_CONSOLE_DATA_DIR or
                  ${defaultDataDir({})})
  --token T       Use this token instead of a random one (for scripts and tests).
  -h, --help      This help.`,
  async run(argv) {
    const { values } = parse(argv, {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
      reason: { type: 'string' },
    })
    const port = intOption(values.port, 'port', 0, 65535)
    const dataDir = values['data-dir'] ?? defaultDataDir()
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
      console.error('The console UI is not built yet: run "npm run build:renderer" (npm start does it for you).')
      return 1
    }
    const c = await startBrowserConsole({ dataDir, port: port ?? DEFAULT_PORT, portFallback: port === undefined, token: values.token })
    if (values.reason) console.log(values.reason)
    if (port === undefined && c.host.port !== DEFAULT_PORT) console.log(`Port ${DEFAULT_PORT} is taken; using ${c.host.port} instead.`)
    console.log(`Support Console is running in browser mode. Data: ${c.app.dbPath}`)
    console.log(`Open this URL in your browser (it carries the access token):\n\n    ${c.host.url}\n`)
    console.log('Press Ctrl-C to stop.')
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await c.close()
    return 0
  },
}
