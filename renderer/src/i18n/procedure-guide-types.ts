// The shape of the procedures' long-text translations (procedure-guides-cs.ts, -de.ts).
export interface StepGuide {
  instructions?: string
  warning?: string
  /** Typed-confirmation prompt of a destructive step. */
  confirm?: string
  template?: { title: string; body: string }
  /** Field help, by input id. */
  help?: Record<string, string>
  /** What an outcome means (TimelineEntry.why of a step that ended that way), by outcome id. */
  messages?: Record<string, string>
}
export interface ProcedureGuide {
  steps: Record<string, StepGuide>
  /** Sentences a blocked or waiting step shows (requirements, "waiting for …") and labels of secrets shown once, keyed by the English. */
  sentences: Record<string, string>
}
export type ProcedureGuides = Record<string, ProcedureGuide>
