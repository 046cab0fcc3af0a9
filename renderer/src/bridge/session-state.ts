import { ref } from 'vue'
import { onSessionState, sessionStateNow, type SessionState } from './session'

/** The tab's session state for the UI (bridge/session.ts keeps it without Vue, to start first). */
export const sessionState = ref<SessionState>(sessionStateNow())
onSessionState((s) => (sessionState.value = s))
