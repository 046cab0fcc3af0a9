import { execFileSync } from 'node:child_process'
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs'
import { homedir, platform } from 'node:os'
import { join } from 'node:path'

/**
 * The platform's user-data folder, matching Electron's app.getPath('userData') for our
 * product name so the desktop app and browser mode share one database.
 */
export function defaultDataDir(env = process.env): string {
  if (env.SUPPORT_CONSOLE_DATA_DIR) return env.SUPPORT_CONSOLE_DATA_DIR
  const name = 'Support Console'
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name)
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', name)
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name)
  }
}

/**
 * `--data-dir DIR` or `--data-dir=DIR` among the desktop app's arguments (npm start passes
 * its own arguments through to Electron), so both modes take the same option.
 */
export function dataDirFromArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--data-dir' && argv[i + 1] && !argv[i + 1].startsWith('--')) return argv[i + 1]
    if (a.startsWith('--data-dir=') && a.length > '--data-dir='.length) return a.slice('--data-dir='.length)
  }
  return undefined
}

/**
 * Issue 13, finding 5: the data folder was 0755 and the database, its WAL and the head file
 * 0644, so any local user could read tickets, photos and PIN hashes. On POSIX the process
 * umask becomes 0077 before anything is written (SQLite, the head file, exports all create
 * files 0600 then), the folder is created 0700, and an existing folder and its files are
 * tightened, saying so once. Returns the note, or null when nothing had to change. On Windows
 * the equivalent is an ACL: inheritance cut and full control for the current user only
 * (windowsPrivateArgs), applied with icacls to the folder and everything in it.
 */
/** Files this process creates from now on are the agent's alone (POSIX; Windows: see makePrivate). */
export function privateUmask(): void {
  if (process.platform !== 'win32') process.umask(0o077)
}

export function makePrivate(dataDir: string, log: (s: string) => void = (s) => console.error(s), o: { platform?: NodeJS.Platform; run?: (cmd: string, args: string[]) => void; user?: string } = {}): string | null {
  if ((o.platform ?? process.platform) === 'win32') {
    mkdirSync(dataDir, { recursive: true })
    const user = o.user ?? process.env.USERNAME ?? ''
    if (!user) return null // no account name to grant: the folder keeps the ACL it inherited
    const run = o.run ?? ((cmd, args) => void execFileSync(cmd, args, { stdio: 'ignore', windowsHide: true }))
    run('icacls', windowsPrivateArgs(dataDir, user))
    return null
  }
  privateUmask()
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const changed: string[] = []
  // Only group and other lose their bits: the owner's stay as they are (a folder made read-only on purpose stays so).
  const tighten = (p: string) => {
    const st = lstatSync(p)
    if (st.isSymbolicLink()) return
    if ((st.mode & 0o077) !== 0) {
      chmodSync(p, st.mode & 0o700)
      changed.push(p)
    }
  }
  tighten(dataDir)
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) {
        tighten(p)
        walk(p)
      } else if (e.isFile()) tighten(p)
    }
  }
  walk(dataDir)
  if (!changed.length) return null
  const note = `Note: the data folder ${dataDir} was readable by other users of this computer; it and its ${changed.length} file${changed.length === 1 ? '' : 's'} and folders are now private to you (0700/0600).`
  log(note)
  return note
}

/**
 * icacls arguments that make a folder private on Windows (issue 13, finding 5): inherited
 * entries removed (/inheritance:r), the current user granted full control on the folder and,
 * inherited, on everything in it ((OI)(CI)F), applied to what is there already (/T).
 */
export function windowsPrivateArgs(dataDir: string, user: string): string[] {
  return [dataDir, '/inheritance:r', '/grant:r', `${user}:(OI)(CI)F`, '/T', '/Q']
}
