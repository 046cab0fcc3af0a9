// A UDP socket for multicast probes, bound to the chosen interface's address so that probes
// leave through that interface only (IP_MULTICAST_IF) and replies come back to it.
import dgram from 'node:dgram'
import type { NetInterface } from '../../../shared/contract/discovery'
import { inCidr, parseCidr } from './net'

export interface ProbeSocket {
  socket: dgram.Socket
  send(buf: Buffer | string, port: number, address: string): Promise<void>
  close(): void
}

export const MAX_DATAGRAM = 64 * 1024

export async function openProbeSocket(iface: NetInterface, onMessage: (msg: Buffer, from: dgram.RemoteInfo) => void, port = 0): Promise<ProbeSocket> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  socket.on('error', () => {})
  socket.on('message', (msg, rinfo) => {
    if (msg.length > MAX_DATAGRAM) return
    try {
      onMessage(msg, rinfo)
    } catch {
      // A reply that breaks the parser is dropped; the scan goes on.
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, iface.address, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  // A burst of replies (100 devices × 2 Types) must not overflow the default receive buffer.
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024)
  } catch {
    /* capped by the system (net.core.rmem_max) */
  }
  socket.setMulticastInterface(iface.address)
  socket.setMulticastTTL(4)
  // Loopback stays on: the lab bench and same-host simulators answer from this machine.
  socket.setMulticastLoopback(true)
  let closed = false
  return {
    socket,
    send: (buf, p, address) =>
      new Promise((resolve) => {
        if (closed) return resolve()
        socket.send(typeof buf === 'string' ? Buffer.from(buf) : buf, p, address, () => resolve())
      }),
    close: () => {
      if (closed) return
      closed = true
      try {
        socket.close()
      } catch {
        /* already closed */
      }
    },
  }
}

/** Is `ip` on the interface's own subnet (reachable without a router)? */
export const onSubnet = (ip: string, iface: NetInterface): boolean => inCidr(ip, parseCidr(iface.cidr))

/** SOAP-over-UDP retransmission: the first send, then repeats after 50-250 ms, doubling up to 500 ms. */
export function retransmitDelays(repeats: number, rnd = Math.random): number[] {
  const out: number[] = []
  let t = 50 + Math.floor(rnd() * 200)
  for (let i = 0; i < repeats; i++) {
    out.push(t)
    t = Math.min(t * 2, 500)
  }
  return out
}
