// CPU time (user + system) the console host spends from process start until it prints its
// address, beside a bare Node process that prints a line. Wall-clock start times swing with
// the load of a shared machine; the CPU a process needs to get ready much less so, which
// makes this the steadier figure for "what does the host do at start" (startup.ts measures
// the whole path to an interactive page). Linux only: it reads /proc/<pid>/task/*/schedstat
// (nanoseconds run, per thread: the main thread, libuv's pool and V8's helpers).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, report } from './util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin', 'support-console.mjs')
/** CPU ms every thread of `pid` has run so far. */
function cpuMs(pid: number): number {
  let ns = 0
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e6
}

/** Starts `args`, waits for a stdout line matching `ready`, returns the CPU ms the process used so far. */
async function cpuUntil(args: string[], ready: RegExp): Promise<number> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c
      if (ready.test(out)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready:\n${out}`)))
  })
  const ms = cpuMs(child.pid!)
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
  return ms
}

if (!existsSync('/proc/self/schedstat')) {
  console.log('host start CPU: skipped (needs /proc)')
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-cpu-'))
  const serve = [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--token', 'bench']
  const ready = /http:\/\/127\.0\.0\.1:\d+\/[?#]token=/
  await cpuUntil(serve, ready) // builds if stale, fills the compile cache, migrates the new database
  const ours: number[] = []
  const anchor: number[] = []
  // Interleaved, so a burst of load on the machine hits both.
  for (let i = 0; i < 11; i++) {
    ours.push(await cpuUntil(serve, ready))
    anchor.push(await cpuUntil(['-e', "require('http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port) })"], /port \d+/))
  }
  report('host start → address printed, CPU time', median(ours), 'ms', { name: 'bare node http server listening', value: median(anchor) })
}
