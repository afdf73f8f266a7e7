// `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a profile's time went, for the
// benches' BENCH_CPU_PROF=1 profiles (.cache/bench/profiles). Prints the busy share (not idle, not
// GC), the functions with the most self time, and the most total time of the app's own code and
// of each package (node_modules/<pkg>), as shares of the busy time.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Microseconds of samples landing in each node. */
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const label = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const short = url.includes('node_modules/')
    ? url.slice(url.lastIndexOf('node_modules/') + 13)
    : url.replace(/.*\/dist\/apps\/[^/]+\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${short}:${n.callFrame.lineNumber + 1}`;
};
const packageOf = (n: ProfileNode): string => {
  const url = n.callFrame.url;
  if (url.includes('node_modules/')) {
    const rest = url.slice(url.lastIndexOf('node_modules/') + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/dist/')) return '(tally)';
  if (url.startsWith('node:') || !url) return url ? '(node)' : n.callFrame.functionName;
  return '(other)';
};

let total = 0;
let idle = 0;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const perPackage = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  total += us;
  if (node.callFrame.functionName === '(idle)') {
    idle += us;
    continue;
  }
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  perPackage.set(packageOf(node), (perPackage.get(packageOf(node)) ?? 0) + us);
  // Each frame on the stack once, however often it recurs.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const busy = total - idle;
const pct = (us: number) => `${((100 * us) / busy).toFixed(1)} %`;
const print = (title: string, m: Map<string, number>, filter = (_: string) => true) => {
  console.log(`\n${title}`);
  [...m]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([k, us]) =>
      console.log(`${pct(us).padStart(8)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`),
    );
};
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s profiled, busy ${(busy / 1e6).toFixed(1)} s ` +
    `(${((100 * busy) / total).toFixed(0)} %); shares below are of the busy time`,
);
print('self time by package (node_modules/<pkg>, (tally) = our dist/, (node) = node:)', perPackage);
print('self time by function', self);
print('total time by function (not node internals)', inclusive, (k) => !/ node:/.test(k));
