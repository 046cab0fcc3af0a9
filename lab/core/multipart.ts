// Just enough multipart/form-data parsing for the two upload fields of the 2N API
// (`blob-cfg`, `blob-fw`). A real device would also reject a wrong Content-Type with
// error 14 "Unsupported Content-Type" (2n-intercom.md §8), which callers do themselves.
export interface Part { name: string; filename?: string; data: Buffer }

export function parseMultipart(body: Buffer, contentType: string | undefined): Part[] | null {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  if (!m || !/multipart\/form-data/i.test(contentType ?? '')) return null
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`)
  const parts: Part[] = []
  let pos = body.indexOf(boundary)
  while (pos >= 0) {
    const start = pos + boundary.length
    if (body.subarray(start, start + 2).toString() === '--') break
    const next = body.indexOf(boundary, start)
    if (next < 0) break
    const chunk = body.subarray(start + 2, next - 2) // skip CRLF after boundary and before next
    const sep = chunk.indexOf('\r\n\r\n')
    if (sep >= 0) {
      const head = chunk.subarray(0, sep).toString('utf8')
      const name = /name="([^"]*)"/i.exec(head)?.[1]
      const filename = /filename="([^"]*)"/i.exec(head)?.[1]
      if (name !== undefined) parts.push({ name, filename, data: chunk.subarray(sep + 4) })
    }
    pos = next
  }
  return parts
}
