import { existsSync } from 'node:fs'

/** Debian's Chromium, or CHROMIUM_PATH, or a Chrome/Chromium in its usual place on a laptop. */
export function chromiumPath(): string {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  ].filter((x): x is string => !!x)
  const found = candidates.find((c) => existsSync(c))
  if (!found) throw new Error(`No Chromium found (looked in ${candidates.join(', ')}). Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`)
  return found
}
