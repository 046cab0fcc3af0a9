// Child process for the namespace tests: starts a lab bench on the addresses given and keeps
// it running until stdin closes. Prints one JSON line with the devices once ready.
import { startBench } from '../../../lab/bench'

const [hostBase, firstHost, mcast, intercoms = '1', nvrs = '1', seed = 'netns-other-subnet'] = process.argv.slice(2)
const bench = await startBench({ intercoms: Number(intercoms), nvrs: Number(nvrs), seed, hostBase, firstHost: Number(firstHost), multicastInterface: mcast, portMode: 'standard' })
process.stdout.write(`${JSON.stringify(bench.devices.map((d) => ({ kind: d.kind, ip: d.ip, serial: d.serial })))}\n`)
process.stdin.resume()
process.stdin.on('end', () => void bench.stop().then(() => process.exit(0)))
process.stdin.on('close', () => void bench.stop().then(() => process.exit(0)))
