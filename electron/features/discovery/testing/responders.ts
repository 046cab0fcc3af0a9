// Minimal SSDP, SADP and mDNS responders for tests. The lab bench (lab/) simulates 2N and
// NVR devices with a WS-Discovery responder only; these answer the other three discovery
// protocols, in the wire formats of ../shared/domain/discovery.md, on an explicit interface
// address (loopback or a test namespace), never on the machine's real interfaces.
import dgram from 'node:dgram'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import mdnsFactory from 'multicast-dns'

export interface FakeIdentity {
  ip: string
  serial: string
  mac: string
  model: string
  firmware?: string
}

async function groupSocket(port: number, group: string, iface: string, onMessage: (m: Buffer, r: dgram.RemoteInfo, s: dgram.Socket) => void): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  s.on('error', () => {})
  s.on('message', (m, r) => onMessage(m, r, s))
  await new Promise<void>((resolve) => s.bind(port, '0.0.0.0', () => resolve()))
  s.addMembership(group, iface)
  return s
}

/** Answers SSDP M-SEARCH for each identity, with a description document carrying its serial. */
export async function ssdpResponder(iface: string, devices: FakeIdentity[]) {
  const servers: http.Server[] = []
  const locations = new Map<string, string>()
  for (const d of devices) {
    const srv = http.createServer((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' })
      res.end(`<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>${d.model} ${d.serial}</friendlyName><manufacturer>Lab</manufacturer><modelName>${d.model}</modelName><serialNumber>${d.serial}</serialNumber><UDN>uuid:ssdp-${d.serial}</UDN></device></root>`)
    })
    await new Promise<void>((r) => srv.listen(0, d.ip, () => r()))
    servers.push(srv)
    locations.set(d.serial, `http://${d.ip}:${(srv.address() as AddressInfo).port}/desc.xml`)
  }
  let searches = 0
  const sock = await groupSocket(1900, '239.255.255.250', iface, (m, r, s) => {
    if (!/^M-SEARCH/.test(m.toString())) return
    searches++
    for (const d of devices) {
      const reply = `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\nUSN: uuid:ssdp-${d.serial}::upnp:rootdevice\r\nLOCATION: ${locations.get(d.serial)}\r\nSERVER: Lab/1.0 UPnP/1.0\r\n\r\n`
      const tx = dgram.createSocket('udp4')
      tx.bind(0, d.ip, () => tx.send(reply, r.port, r.address, () => tx.close()))
    }
    void s
  })
  return {
    get searches() {
      return searches
    },
    stop: async () => {
      sock.close()
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
    },
  }
}

/** Answers SADP inquiry probes (Hikvision ProbeMatch). `garbage` sends a broken reply first. */
export async function sadpResponder(iface: string, devices: (FakeIdentity & { mask?: string; garbage?: boolean })[]) {
  const sock = await groupSocket(37020, '239.255.255.250', iface, (m, r) => {
    const text = m.toString()
    const uuid = text.match(/<Uuid>([^<]*)<\/Uuid>/)?.[1]
    if (!uuid || !/<Types>inquiry<\/Types>/i.test(text)) return
    for (const d of devices) {
      const tx = dgram.createSocket('udp4')
      const xml = `<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>${uuid}</Uuid><Types>inquiry</Types><DeviceType>NVR</DeviceType><DeviceDescription>${d.model}</DeviceDescription><DeviceSN>${d.serial}</DeviceSN><CommandPort>8000</CommandPort><HttpPort>80</HttpPort><MAC>${d.mac.replace(/:/g, '-').toLowerCase()}</MAC><IPv4Address>${d.ip}</IPv4Address><IPv4SubnetMask>${d.mask ?? '255.255.255.0'}</IPv4SubnetMask><IPv4Gateway>0.0.0.0</IPv4Gateway><DHCP>false</DHCP><SoftwareVersion>${d.firmware ?? 'V4.0'}</SoftwareVersion><Activated>true</Activated><PasswordResetAbility>true</PasswordResetAbility></ProbeMatch>`
      tx.bind(0, iface, () => {
        const send = () => tx.send(xml, r.port, r.address, () => tx.close())
        if (d.garbage) tx.send('<ProbeMatch><<<\u0000', r.port, r.address, send)
        else send()
      })
    }
  })
  return {
    stop: async () => {
      sock.close()
    },
  }
}

/** Answers mDNS PTR queries for _http._tcp.local with PTR, SRV, TXT (serial, mac) and A records. */
export async function mdnsResponder(iface: string, devices: FakeIdentity[]) {
  const m = mdnsFactory({ interface: iface, bind: '0.0.0.0', port: 5353, loopback: true, reuseAddr: true } as never)
  m.on('warning', () => {})
  m.on('error', () => {})
  m.on('query', (q: { questions: { name: string; type: string }[] }, rinfo: { address: string; port: number }) => {
    if (!q.questions.some((x) => x.name === '_http._tcp.local' && x.type === 'PTR')) return
    for (const d of devices) {
      const inst = `${d.model}-${d.serial}._http._tcp.local`
      const host = `dev-${d.serial}.local`
      m.respond(
        {
          answers: [{ name: '_http._tcp.local', type: 'PTR', ttl: 120, data: inst }],
          additionals: [
            { name: inst, type: 'SRV', ttl: 120, data: { port: 80, target: host, priority: 0, weight: 0 } },
            { name: inst, type: 'TXT', ttl: 120, data: [`serial=${d.serial}`, `mac=${d.mac}`, `model=${d.model}`] },
            { name: host, type: 'A', ttl: 120, data: d.ip },
          ],
        } as never,
        { port: rinfo.port, address: rinfo.address } as never,
      )
    }
  })
  await new Promise<void>((r) => m.once('ready', () => r()))
  return { stop: () => new Promise<void>((r) => m.destroy(() => r())) }
}
