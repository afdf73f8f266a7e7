// Removes whatever a partition run left (its namespaces and every process in them, veths, the
// bridge, the blackhole route, small filesystems, data directories): the runner calls it on every exit, Ctrl-C included.
import { readdirSync, rmSync } from 'node:fs';
import { Network } from './network';
import { PARTITIONS } from './partition-config';
import { unmountAllUnder } from './small-disk';

const left = new Network().down();
// Only this run's kind: another checkout's run has a prefix of its own.
const ours = `tally-partitions-${PARTITIONS.netnsPrefix}-`;
// A full-disk scenario's small filesystems, mounted inside the data directories.
left.push(...unmountAllUnder(`/tmp/${ours}`).map((point) => `mount ${point}`));
for (const name of readdirSync('/tmp').filter((n) => n.startsWith(ours))) {
  rmSync(`/tmp/${name}`, { recursive: true, force: true });
}
if (left.length > 0) {
  process.stderr.write(`[partitions] teardown could not remove: ${left.join(', ')}\n`);
  process.exitCode = 1;
}
