// Child process for the namespace tests: one scan on the named interface, summary as JSON.
import { resolveInterfaces } from '../net'
import { startScan } from '../scan'

const [iface, cidr, timeout] = process.argv.slice(2)
const scan = startScan({ ifaces: resolveInterfaces([iface]), cidr: cidr || undefined, timeoutMs: Number(timeout || 5000) })
const s = await scan.done
process.stdout.write(`${JSON.stringify(s)}\n`)
