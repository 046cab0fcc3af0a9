// What the NVR reset's modules are given (issue 11: no service locator). Each module declares
// the narrow part it uses (view.ts ViewDeps, case.ts CaseDeps, photos.ts PhotoDeps…); the
// composition root (electron/core/compose.ts buildServices) builds one ResetDeps per console with
// resetDeps(), one repository and the console's evidence vault included, and hands it over.
import type { Agent } from '../../../shared/contract/system'
import { NvrResetRepo } from '../../../db/repos/nvr-reset'
import type { CommonRepos, Events, Logging, Recording, Secrets, Store } from '../../infra/ports'
import type { EvidenceVault } from '../evidence'
import { RunningIntakes } from './intakes'

/** The agent at the console: named in customer messages; nobody approves their own release. */
export interface CurrentAgent {
  agent(): Promise<Agent | null>
}

/** The reset's rows (db/repos/nvr-reset.ts). */
export interface ResetRows {
  readonly repo: NvrResetRepo
}

/** The evidence vault the reset files photos and ownership documents into. */
export interface ResetEvidence {
  readonly vault: EvidenceVault
}

/** The console's ports the reset uses (App implements them all). */
export type ResetPorts = Recording & Store & Pick<CommonRepos, 'tickets' | 'settings'> & Events & Secrets & Logging & CurrentAgent

export type ResetDeps = ResetPorts & ResetRows & ResetEvidence & { readonly intakes: RunningIntakes }

/** The reset's dependencies from the console's ports (methods bound) and its vault; built once by the root. */
export function resetDeps(p: ResetPorts, vault: EvidenceVault): ResetDeps {
  return {
    db: p.db,
    tickets: p.tickets,
    settings: p.settings,
    bus: p.bus,
    secrets: p.secrets,
    log: p.log,
    audit: (e) => p.audit(e),
    record: (change, entries) => p.record(change, entries),
    agentLabel: () => p.agentLabel(),
    agentLabelSync: () => p.agentLabelSync(),
    agent: () => p.agent(),
    repo: new NvrResetRepo(p.db),
    vault,
    intakes: new RunningIntakes(),
  }
}
