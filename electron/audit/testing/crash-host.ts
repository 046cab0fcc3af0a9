// The console host as a separate process for the crash-safety test: the same App,
// dispatcher and HTTP host as `support-console serve`, without needing a built UI.
// Prints "READY <port> <token>" when listening. Usage: tsx crash-host.ts DATA_DIR
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBrowserConsole } from '../../host/browser-host'

const dataDir = process.argv[2]
const ui = mkdtempSync(join(tmpdir(), 'sc-crash-ui-'))
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>')
const c = await startBrowserConsole({ dataDir, port: 0, rendererDir: ui, token: 'crash-token' })
console.log(`READY ${c.host.port} crash-token`)
