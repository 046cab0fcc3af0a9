// Where the lab bench leaves its connection, and how the console reads it. The file holds
// the bench's API keys and device passwords (simulated devices only), so it is written 0600
// and a file another user owns or could have written is refused.
import { readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../../../shared/contract/common'
import { LabConnection } from '../../../shared/contract/connections'

/** $SUPPORT_CONSOLE_LAB_FILE, else one file per user in the runtime (or temporary) folder. */
export function defaultLabConnectionPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUPPORT_CONSOLE_LAB_FILE) return env.SUPPORT_CONSOLE_LAB_FILE
  const dir = env.XDG_RUNTIME_DIR || tmpdir()
  return join(dir, `support-console-lab-${process.getuid?.() ?? 'user'}.json`)
}

/** Parses a connection file's text; says what is wrong with it. */
export function parseLabConnection(text: string, source: string): LabConnection {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new AppError('VALIDATION', `${source} is not a lab connection file (not JSON).`, { hint: 'Choose the file the lab bench wrote (its path is printed when the lab starts).', key: 'labConnection.notJson', values: { source } })
  }
  const r = LabConnection.safeParse(raw)
  if (!r.success) {
    const i = r.error.issues[0]
    throw new AppError('VALIDATION', `${source} is not a lab connection file this console understands (${i.path.join('.') || 'format'}: ${i.message}).`, { hint: 'Start the lab bench of this checkout (support-console lab) and use the file it writes.', key: 'labConnection.notUnderstood', values: { source, detail: `${i.path.join('.') || 'format'}: ${i.message}` } })
  }
  return r.data
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Reads the running bench's file: refuses a missing one, a stale one, one others could write. */
export function readRunningLab(path = defaultLabConnectionPath()): LabConnection {
  let st
  try {
    st = statSync(path)
  } catch {
    throw new AppError('NOT_FOUND', `No lab bench is running on this machine (no connection file at ${path}).`, { hint: 'Start it with “support-console lab” (add --fixed-ports to keep the same addresses across restarts), then try again; or import a connection file.', key: 'labConnection.notRunning', values: { path } })
  }
  const uid = process.getuid?.()
  if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new AppError('FORBIDDEN', `The lab connection file ${path} belongs to another user or others may write it; it was not used.`, { hint: 'Remove it and restart the lab bench as yourself.', key: 'labConnection.unsafeFile', values: { path } })
  }
  const c = parseLabConnection(readFileSync(path, 'utf8'), path)
  if (!alive(c.pid)) throw new AppError('NOT_FOUND', `The lab bench that wrote ${path} (process ${c.pid}) is no longer running.`, { hint: 'Start it again with “support-console lab”, then try again.', key: 'labConnection.stale', values: { path, pid: c.pid } })
  return c
}
