// Checks electron-builder.yml where Electron's zip cannot be downloaded: builds the app with
// electron-vite, then packs `--linux dir` against a stand-in Electron folder, and inspects
// the resulting app.asar (what ships, what is unpacked, that renderer-only packages stay out).
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (n) => join(root, 'node_modules', '.bin', n)
execFileSync(bin('electron-vite'), ['build'], { cwd: root, stdio: 'inherit' })

const standIn = mkdtempSync(join(tmpdir(), 'electron-dist-'))
// A stand-in binary carrying Electron's fuse wire (sentinel, version 1, 9 fuses in
// Electron's default states) so that electron-builder can flip the fuses, and we can read
// back that it did.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const DEFAULT_FUSES = '101100011'
writeFileSync(join(standIn, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\necho stand-in\n# '), Buffer.from(SENTINEL), Buffer.from([1, 9]), Buffer.from(DEFAULT_FUSES), Buffer.from('\n')]))
chmodSync(join(standIn, 'electron'), 0o755)
mkdirSync(join(standIn, 'resources'))
writeFileSync(join(standIn, 'version'), '45.4.1')
const out = mkdtempSync(join(tmpdir(), 'sc-pack-'))
execFileSync(bin('electron-builder'), ['--linux', 'dir', `-c.electronDist=${standIn}`, '-c.electronVersion=45.4.1', `-c.directories.output=${out}`, '--publish', 'never'], { cwd: root, stdio: 'inherit' })

const res = join(out, 'linux-unpacked', 'resources')
const asar = join(res, 'app.asar')
if (!existsSync(asar)) throw new Error('app.asar was not produced')
const list = execFileSync(bin('asar'), ['list', asar], { encoding: 'utf8' }).split('\n')
const has = (p) => list.some((l) => l.startsWith(p))
const problems = []
for (const p of ['/out/main/index.js', '/out/main/decoder-worker.js', '/out/preload/index.cjs', '/out/renderer/index.html']) if (!has(p)) problems.push(`missing ${p}`)
for (const p of ['/node_modules/vue/', '/node_modules/pinia/', '/lab/', '/e2e/', '/renderer/src/']) if (has(p)) problems.push(`should not ship ${p}`)
if (!existsSync(join(res, 'app.asar.unpacked', 'node_modules', 'better-sqlite3'))) problems.push('better-sqlite3 is not unpacked from the asar')
const exe = readFileSync(join(out, 'linux-unpacked', 'support-console'))
const at = exe.indexOf(SENTINEL) + SENTINEL.length + 2
const fuses = exe.subarray(at, at + 9).toString()
const expected = { 0: ['runAsNode', '0'], 1: ['enableCookieEncryption', '1'], 2: ['enableNodeOptionsEnvironmentVariable', '0'], 3: ['enableNodeCliInspectArguments', '0'], 4: ['enableEmbeddedAsarIntegrityValidation', '1'], 5: ['onlyLoadAppFromAsar', '1'], 7: ['grantFileProtocolExtraPrivileges', '0'] }
for (const [i, [name, want]] of Object.entries(expected)) if (fuses[Number(i)] !== want) problems.push(`fuse ${name} is ${fuses[Number(i)]}, expected ${want}`)
console.log(`fuses after packaging: ${fuses}`)
const mb = (statSync(asar).size / 1048576).toFixed(1)
console.log(`app.asar: ${mb} MB, ${list.length} entries; unpacked: ${readdirSync(join(res, 'app.asar.unpacked', 'node_modules')).join(', ')}`)
if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log('Packaging configuration: ok')
