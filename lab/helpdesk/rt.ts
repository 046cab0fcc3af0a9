// A real Request Tracker 5 for tests and benches: Debian's request-tracker5 with
// rt5-db-sqlite and rt5-standalone (installed by .ci/run). Each instance gets its own
// folder: a copy of the SQLite database the package initialised, its own site config
// (RT_SITE_CONFIG_DIR), mason/session folders and a free loopback port. An auth token for
// root is made through RT's Perl API (a non-interactive install leaves root without one).
// stop() ends the server's whole process group (Starlet forks workers); start() again
// brings it back on the same port with the same data ("RT down for a while").
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const RT_PACKAGES = 'request-tracker5 rt5-db-sqlite rt5-standalone'
const LIBEXEC = '/usr/share/request-tracker5/libexec/rt-server'
const RT_LIB = '/usr/share/request-tracker5/lib'
const ETC_DIR = '/etc/request-tracker5/RT_SiteConfig.d'
const TEMPLATE_DB = '/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

function requireRt(): void {
  const missing = [LIBEXEC, ETC_DIR, TEMPLATE_DB].filter((p) => !existsSync(p))
  if (missing.length) {
    throw new Error(
      `Request Tracker 5 is not installed (missing ${missing.join(', ')}). The helpdesk tests run a real RT: install the Debian packages ${RT_PACKAGES} ` +
        `(preseed request-tracker5/dbconfig-install=true and request-tracker5/database-type=sqlite3, DEBIAN_FRONTEND=noninteractive; .ci/run does this), then run the tests again.`,
    )
  }
}

export class RtInstance {
  readonly dir: string
  readonly port: number
  token = ''
  private proc: ChildProcess | null = null
  private onExit: (() => void) | null = null

  private constructor(dir: string, port: number) {
    this.dir = dir
    this.port = port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  static async create(): Promise<RtInstance> {
    requireRt()
    const dir = mkdtempSync(join(tmpdir(), 'sc-rt-'))
    const rt = new RtInstance(dir, await freePort())
    mkdirSync(join(dir, 'conf'))
    for (const f of readdirSync(ETC_DIR)) if (f.endsWith('.pm')) copyFileSync(join(ETC_DIR, f), join(dir, 'conf', f))
    try {
      copyFileSync(TEMPLATE_DB, join(dir, 'rtdb'))
    } catch (e) {
      throw new Error(`Cannot copy RT's SQLite database ${TEMPLATE_DB} (${(e as Error).message}): run the tests as root or as a member of www-data.`, { cause: e })
    }
    for (const d of ['mason', 'session']) mkdirSync(join(dir, d))
    // Loaded last: this instance's database, address and quiet logging.
    writeFileSync(
      join(dir, 'conf', '99-support-console-test.pm'),
      [
        `Set($DatabaseName, '${join(dir, 'rtdb')}');`,
        `Set($WebPort, ${rt.port});`,
        `Set($WebDomain, '127.0.0.1');`,
        `Set($WebBaseURL, 'http://rt.invalid:${rt.port}');`, // what RT puts in _url: deliberately not the address we call
        `Set($WebPath, '');`,
        `Set($LogToSyslog, undef);`,
        `Set($LogToSTDERR, 'error');`,
        `Set($MasonDataDir, '${join(dir, 'mason')}');`,
        `Set($MasonSessionDir, '${join(dir, 'session')}');`,
        `Set($MaxAttachmentSize, 50*1024*1024);`,
        `Set($NotifyActor, 0);`,
        `1;`,
      ].join('\n'),
    )
    rt.token = rt.perl(`
      my $u = RT::User->new(RT->SystemUser); $u->Load('root');
      my $t = RT::AuthToken->new(RT->SystemUser);
      my ($ok, $msg, $auth) = $t->Create(Owner => $u->Id, Description => 'support-console tests');
      die "token: $msg" unless $ok; print "TOKEN=$auth\\n";`).match(/TOKEN=(\S+)/)![1]
    await rt.start()
    return rt
  }

  private env() {
    return { ...process.env, RT_SITE_CONFIG_DIR: join(this.dir, 'conf') }
  }

  perl(code: string): string {
    const r = spawnSync('perl', [`-I${RT_LIB}`, '-e', `use strict; use RT; RT::LoadConfig(); RT::Init(); ${code}`], { env: this.env(), encoding: 'utf8', timeout: 60_000 })
    if (r.status !== 0) throw new Error(`RT Perl API failed: ${r.stderr}`)
    return r.stdout
  }

  async start(): Promise<void> {
    if (this.proc) return
    this.proc = spawn(LIBEXEC, ['--port', String(this.port)], { env: this.env(), cwd: this.dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    this.proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)))
    // The server is detached (its own process group): if this process ends without stop(), take it along.
    const pid = this.proc.pid!
    this.onExit = () => {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    process.once('exit', this.onExit)
    const until = Date.now() + 60_000
    while (Date.now() < until) {
      if (this.proc.exitCode !== null) throw new Error(`rt-server exited (${this.proc.exitCode}): ${err}`)
      try {
        const r = await fetch(`${this.url}/REST/2.0/queues/all`, { headers: { Authorization: `token ${this.token}` }, signal: AbortSignal.timeout(2000) })
        if (r.status === 200) return
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250))
    }
    throw new Error(`rt-server did not answer on ${this.url} within 60 s: ${err}`)
  }

  /** Stops the server and its forked workers (its own process group). */
  async stop(): Promise<void> {
    const p = this.proc
    if (!p?.pid) return
    this.proc = null
    if (this.onExit) process.off('exit', this.onExit)
    const gone = new Promise((r) => p.once('exit', r))
    try {
      process.kill(-p.pid, 'SIGTERM')
    } catch {
      return
    }
    const t = setTimeout(() => {
      try {
        process.kill(-p.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }, 5000)
    await gone
    clearTimeout(t)
    // Workers may outlive the master by a moment; wait until the port is free again.
    for (let i = 0; i < 40; i++) {
      try {
        await fetch(this.url, { signal: AbortSignal.timeout(500) })
        await new Promise((r) => setTimeout(r, 100))
      } catch {
        break
      }
    }
  }

  async close(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** REST2 as root, for setting up and checking tests. */
  async api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const r = await fetch(`${this.url}/REST/2.0/${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `token ${this.token}`, 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const text = await r.text()
    if (!r.ok) throw new Error(`RT ${init.method ?? 'GET'} ${path}: ${r.status} ${text}`)
    return (text ? JSON.parse(text) : null) as T
  }

  /** A requester (with a real name) and a ticket from them with files attached, as a customer's e-mail would make. */
  async createTicket(t: { subject: string; requester: { email: string; realName: string; phone?: string; organization?: string }; content: string; files: { name: string; mime: string; data: Buffer }[] }): Promise<string> {
    try {
      await this.api('user', { method: 'POST', body: { Name: t.requester.email, EmailAddress: t.requester.email, RealName: t.requester.realName, WorkPhone: t.requester.phone ?? '', Organization: t.requester.organization ?? '' } })
    } catch (e) {
      if (!/Name in use|already/i.test(String(e))) throw e
    }
    const r = await this.api<{ id: string }>('ticket', {
      method: 'POST',
      body: { Queue: 'General', Subject: t.subject, Requestor: t.requester.email, Content: t.content, Attachments: t.files.map((f) => ({ FileName: f.name, FileType: f.mime, FileContent: f.data.toString('base64') })) },
    })
    return String(r.id)
  }

  /** The ticket's comments and replies made after creation, with their attached files' bytes. */
  async messages(ticketId: string): Promise<{ type: 'Comment' | 'Correspond'; subject: string; content: string; files: { name: string; data: Buffer }[] }[]> {
    const hist = await this.api<{ items: { id: string; Type: string }[] }>(`ticket/${ticketId}/history?fields=Type&per_page=100`)
    const out = []
    for (const tx of hist.items.filter((x) => x.Type === 'Comment' || x.Type === 'Correspond')) {
      const atts = await this.api<{ items: { id: string; Filename: string; Subject: string; ContentType: string }[] }>(`transaction/${tx.id}/attachments?fields=Filename,Subject,ContentType&per_page=100`)
      let subject = ''
      let content = ''
      const files = []
      for (const a of atts.items) {
        if (a.Subject) subject = a.Subject
        if (a.Filename) {
          const full = await this.api<{ Content: string }>(`attachment/${a.id}`)
          files.push({ name: a.Filename, data: Buffer.from(full.Content, 'base64') })
        } else if (a.ContentType === 'text/plain' && !content) {
          const full = await this.api<{ Content: string }>(`attachment/${a.id}`)
          content = Buffer.from(full.Content, 'base64').toString('utf8')
        }
      }
      out.push({ type: tx.Type as 'Comment' | 'Correspond', subject, content, files })
    }
    return out
  }
}
