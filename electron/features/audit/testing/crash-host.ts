// The console host as a separate process for the crash-safety test: the same App,
// dispatcher and HTTP host as `support-console serve`, without needing a built UI.
// Prints "READY <port> <token> <pid>" when listening.
// Usage: node --import <tsx loader> crash-host.ts DATA_DIR (one process, so SIGKILL kills the host).
//
// CRASH_AT=<probe> makes the process SIGKILL itself at one exact moment: synchronously right
// after a row was written, before anything else runs. Written apart from its audit entry, the
// row is committed there without one (random kills hit that window only by luck); written in
// one transaction with it (App.record), nothing of either is committed.
//   backup-stored   a device backup row (DevicesTx.addBackup: DevicesRepo.tx().addBackup or addBackup)
//   step-done       a workflow step visit ended as done (WorkflowsTx.advance: WorkflowsRepo.tx().advance or advance)
//   run-created     a workflow run (WorkflowsTx.createRun: WorkflowsRepo.tx().createRun or createRun)
// CRASH_AT_SKIP=n lets the first n occurrences pass.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DevicesTx } from '../../../../db/repos/devices'
import { WorkflowsTx } from '../../../../db/repos/workflows'
import { startBrowserConsole } from '../../../host/browser-host'

let skip = Number(process.env.CRASH_AT_SKIP ?? 0)
const die = () => {
  if (skip-- > 0) return
  process.kill(process.pid, 'SIGKILL')
}
switch (process.env.CRASH_AT) {
  case undefined:
  case '':
    break
  case 'backup-stored': {
    // The one implementation (DevicesRepo.addBackup and tx().addBackup both run it).
    const add = DevicesTx.prototype.addBackup
    DevicesTx.prototype.addBackup = function (this: DevicesTx, ...a: Parameters<typeof add>) {
      const b = add.apply(this, a)
      die()
      return b
    }
    break
  }
  case 'step-done': {
    // The one implementation (WorkflowsRepo.advance and tx().advance both run it).
    const advance = WorkflowsTx.prototype.advance
    WorkflowsTx.prototype.advance = function (this: WorkflowsTx, ...a: Parameters<typeof advance>) {
      const next = advance.apply(this, a)
      if (a[1].state === 'done') die()
      return next
    }
    break
  }
  case 'run-created': {
    const create = WorkflowsTx.prototype.createRun
    WorkflowsTx.prototype.createRun = function (this: WorkflowsTx, ...a: Parameters<typeof create>) {
      const run = create.apply(this, a)
      die()
      return run
    }
    break
  }
  default:
    throw new Error(`unknown CRASH_AT probe ${process.env.CRASH_AT}`)
}

const dataDir = process.argv[2]
const ui = mkdtempSync(join(tmpdir(), 'sc-crash-ui-'))
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>')
const c = await startBrowserConsole({ dataDir, port: 0, rendererDir: ui, token: 'crash-token' })
console.log(`READY ${c.host.port} crash-token ${process.pid}`)
