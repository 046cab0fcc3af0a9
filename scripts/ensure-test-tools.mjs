// Makes sure the system tools the tests drive are present. On a Debian/Ubuntu machine as
// root (CI, this kind of machine) it installs what is missing; elsewhere it says what to install.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const needs = [
  { bin: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'], pkg: 'chromium', env: 'CHROMIUM_PATH' },
  { bin: ['/usr/bin/zbarimg'], pkg: 'zbar-tools' },
  { bin: ['/usr/bin/onvif-util'], pkg: 'onvif-tools' },
  { bin: ['/usr/bin/nmap'], pkg: 'nmap' },
  { bin: ['/usr/bin/pdftoppm'], pkg: 'poppler-utils' },
  { bin: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'], pkg: 'iproute2' },
  // The helpdesk tests run a real Request Tracker 5 (answers preseeded from .ci/rt5.preseed).
  { bin: ['/usr/share/request-tracker5/libexec/rt-server'], pkg: 'request-tracker5 rt5-db-sqlite rt5-standalone', preseed: '.ci/rt5.preseed' },
]
const missing = needs.filter((n) => !(n.env && process.env[n.env] && existsSync(process.env[n.env])) && !n.bin.some((b) => existsSync(b)))
if (missing.length === 0) process.exit(0)
const pkgs = missing.flatMap((m) => m.pkg.split(' '))
const isRoot = process.getuid?.() === 0
const hasApt = spawnSync('which', ['apt-get']).status === 0
if (isRoot && hasApt) {
  console.log(`Installing test tools from Debian: ${pkgs.join(' ')}`)
  for (const m of missing) if (m.preseed) execFileSync('debconf-set-selections', [m.preseed], { stdio: 'inherit' })
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
} else {
  console.error(`Missing test tools: ${pkgs.join(', ')}. Install them (Debian: sudo apt-get install -y ${pkgs.join(' ')}) and run the tests again.`)
  process.exit(1)
}
