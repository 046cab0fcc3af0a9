// A PNG of what the NVR's monitor shows on the Retrieve Password screen: a dark UI frame,
// a title, and the QR on a white panel with a quiet zone. Support receives photos of
// exactly this, so tests and trainees can feed it to the console's QR intake.
import { esc } from '../core/xml'

export const SCREEN_WIDTH = 1024
export const SCREEN_HEIGHT = 768

export async function renderQrScreen(payload: string, info: { model: string; serial: string }): Promise<Buffer> {
  // Loaded on first use: most benches never render a screen, and each --netns device is a
  // process of its own whose start-up time matters.
  const [{ default: QRCode }, { default: sharp }] = await Promise.all([import('qrcode'), import('sharp')])
  // Margin 4 modules is the quiet zone the QR specification asks for.
  const qr = await QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6, color: { dark: '#000000', light: '#ffffff' } })
  const meta = await sharp(qr).metadata()
  const size = meta.width ?? 300
  const left = Math.round((SCREEN_WIDTH - size) / 2)
  const top = Math.max(120, Math.round((SCREEN_HEIGHT - size) / 2) + 20)
  // Text is drawn by librsvg with whatever fonts the machine has; if none, the frame still renders.
  const frame = `<svg xmlns="http://www.w3.org/2000/svg" width="${SCREEN_WIDTH}" height="${SCREEN_HEIGHT}">
  <rect width="100%" height="100%" fill="#1d2633"/>
  <rect x="0" y="0" width="100%" height="56" fill="#2b3a4e"/>
  <text x="24" y="36" font-family="sans-serif" font-size="22" fill="#e8eef5">Retrieve Password</text>
  <text x="${SCREEN_WIDTH - 24}" y="36" text-anchor="end" font-family="sans-serif" font-size="16" fill="#9fb3c8">${esc(info.model)}</text>
  <text x="${SCREEN_WIDTH / 2}" y="${top - 40}" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#e8eef5">Scan the QR code with the 2M Guard app, or send a photo of it to support</text>
  <rect x="${left - 16}" y="${top - 16}" width="${size + 32}" height="${size + 32}" rx="6" fill="#ffffff"/>
  <text x="${SCREEN_WIDTH / 2}" y="${Math.min(SCREEN_HEIGHT - 60, top + size + 48)}" text-anchor="middle" font-family="sans-serif" font-size="16" fill="#9fb3c8">Serial No.: ${esc(info.serial)}</text>
  <rect x="${SCREEN_WIDTH / 2 - 160}" y="${SCREEN_HEIGHT - 44}" width="320" height="32" rx="4" fill="#33475f"/>
  <text x="${SCREEN_WIDTH / 2}" y="${SCREEN_HEIGHT - 22}" text-anchor="middle" font-family="sans-serif" font-size="15" fill="#e8eef5">Security Code: ________   (case sensitive)</text>
</svg>`
  return sharp(Buffer.from(frame)).composite([{ input: qr, left, top }]).png().toBuffer()
}
