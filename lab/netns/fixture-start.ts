// Test fixture: starts a --netns bench in a separate process, prints READY <json>, then
// either crashes with an uncaught error ("crash") or waits to be killed ("wait").
import { startBench } from '../bench'

const bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'netns-fixture', netns: true })
console.log(`READY ${JSON.stringify({ netns: bench.netns, ips: bench.devices.map((d) => d.ip) })}`)
if (process.argv[2] === 'crash') setTimeout(() => { throw new Error('simulated crash') }, 100)
else setInterval(() => {}, 1000)
