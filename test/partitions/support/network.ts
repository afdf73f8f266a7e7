import { spawnSync } from 'node:child_process';
import { PARTITIONS } from './partition-config';

/**
 * A network of its own: one bridge in this namespace (the suite's address .1 on it), and per process
 * a network namespace joined to the bridge by a veth pair (`eth0` inside, `<prefix>v-<node>` on the
 * bridge). Every fault is made on those links only, and every command that makes or undoes one must
 * succeed: a fault that did not happen proves nothing.
 */
export interface NodeAddress {
  name: string;
  /** Last byte of the node's address in the suite's /24. */
  host: number;
}

const COMMAND_TIMEOUT_MS = 15_000;
/** Our nftables table inside a namespace (one per namespace, so each fault is removed whole). */
const FAULT_TABLE = 'tparts_fault';

/** Runs a command and fails loudly unless it exits 0 within its time. Answers its stdout. */
export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    input,
  });
  if (result.status !== 0) {
    const said = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${said}`);
  }
  return result.stdout;
}

/** Like run, for teardown: a failure is reported, never thrown (the rest must still be undone). */
function attempt(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  return result.status === 0;
}

export class Network {
  readonly prefix = PARTITIONS.netnsPrefix;
  readonly bridge = `${PARTITIONS.netnsPrefix}-br`;
  private readonly nodes = new Map<string, NodeAddress>();
  /** Service addresses (a floating one) each node holds beside its own, by last byte. */
  private readonly extra = new Map<string, Set<number>>();

  /** The address of `host` in the suite's /24 (10.203.0.0/24 by default). */
  address(host: number): string {
    return `${PARTITIONS.subnetBase}.${host}`;
  }

  /** Our own address, on the bridge: where the suite (checker, load client) talks from. */
  get ownAddress(): string {
    return this.address(1);
  }

  namespace(node: string): string {
    return `${this.prefix}-${node}`;
  }

  ipOf(node: string): string {
    const found = this.nodes.get(node);
    if (!found) throw new Error(`no node ${node} on the network`);
    return this.address(found.host);
  }

  /** The veth end on the bridge: the far end as seen from the node, the one a cut takes down. */
  private bridgeEnd(node: string): string {
    return `${this.prefix.slice(0, 6)}v-${node}`.slice(0, 15);
  }

  /**
   * The bridge, our address on it, and the safety net: a blackhole route for the whole subnet at a
   * higher metric, so that if the bridge's route ever went, the suite's traffic would be dropped
   * here instead of leaving by the machine's default route.
   */
  up(): void {
    this.down();
    run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${this.ownAddress}/24`, 'dev', this.bridge]);
    run('ip', ['link', 'set', this.bridge, 'up']);
    run('ip', ['route', 'add', 'blackhole', `${PARTITIONS.subnetBase}.0/24`, 'metric', '4000']);
  }

  /** A namespace for `node`, on the bridge, with its own address (and loopback up). */
  addNode(node: NodeAddress): string {
    const ns = this.namespace(node.name);
    const outer = this.bridgeEnd(node.name);
    const inner = `${outer}i`.slice(0, 15);
    run('ip', ['netns', 'add', ns]);
    this.nodes.set(node.name, node);
    run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    run('ip', ['link', 'set', inner, 'netns', ns]);
    run('ip', ['-n', ns, 'link', 'set', inner, 'name', 'eth0']);
    run('ip', ['link', 'set', outer, 'master', this.bridge]);
    run('ip', ['link', 'set', outer, 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `${this.address(node.host)}/24`, 'dev', 'eth0']);
    run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /**
   * A service address on `node` beside its own: a floating address, as keepalived or a Patroni
   * vip-manager gives the current PostgreSQL primary, so that clients keep one host in their URL.
   */
  addAddress(node: string, host: number): void {
    run('ip', [
      '-n',
      this.namespace(node),
      'addr',
      'add',
      `${this.address(host)}/24`,
      'dev',
      'eth0',
    ]);
    this.extra.set(node, new Set([...(this.extra.get(node) ?? []), host]));
  }

  /**
   * Moves a service address from one node to another, and makes every neighbour forget where it
   * was (what the gratuitous ARP of a failover manager does), ours included.
   */
  moveAddress(host: number, from: string, to: string): void {
    const cidr = `${this.address(host)}/24`;
    const held = run('ip', ['-n', this.namespace(from), '-o', 'addr', 'show', 'dev', 'eth0']);
    if (held.includes(`${this.address(host)}/`)) {
      run('ip', ['-n', this.namespace(from), 'addr', 'del', cidr, 'dev', 'eth0']);
    }
    this.extra.get(from)?.delete(host);
    this.addAddress(to, host);
    for (const node of this.nodes.keys()) {
      run('ip', ['-n', this.namespace(node), 'neigh', 'flush', 'to', this.address(host)]);
    }
    run('ip', ['neigh', 'flush', 'to', this.address(host)]);
  }

  /** `ip netns exec <ns>` + the command: how every process of the suite is started. */
  exec(node: string, command: string[]): string[] {
    return ['ip', 'netns', 'exec', this.namespace(node), ...command];
  }

  /**
   * Cuts `node` off from everyone: the bridge's end of its veth goes down. Its own end keeps its
   * address and route but loses its carrier, so its packets go nowhere (as when a cable is pulled
   * on the far side); nothing ever changes on the suite's own routes.
   */
  cut(node: string): void {
    run('ip', ['link', 'set', this.bridgeEnd(node), 'down']);
    this.expectLink(node, /state DOWN/);
  }

  heal(node: string): void {
    run('ip', ['link', 'set', this.bridgeEnd(node), 'up']);
    this.expectLink(node, /state UP|state LOWERLAYERDOWN|state UNKNOWN/);
  }

  private expectLink(node: string, state: RegExp): void {
    const shown = run('ip', ['-o', 'link', 'show', this.bridgeEnd(node)]);
    if (!state.test(shown)) throw new Error(`${node}'s link is not as asked: ${shown.trim()}`);
  }

  /**
   * Drops every packet between `node` and `peers` (both ways), silently: a partial partition (the
   * node still reaches everyone else). Made by nftables inside the node's namespace.
   */
  block(node: string, peers: string[]): void {
    const set = peers
      .flatMap((peer) => [
        this.ipOf(peer),
        ...[...(this.extra.get(peer) ?? [])].map((host) => this.address(host)),
      ])
      .join(', ');
    this.faultTable(node, [`ip daddr { ${set} } counter drop`, `ip saddr { ${set} } counter drop`]);
  }

  /**
   * Drops `percent` % of the node's packets at random (nftables `numgen random`): `both` ways, or
   * only those it sends (`out`) or receives (`in`).
   */
  loss(node: string, percent: number, direction: 'in' | 'out' | 'both' = 'both'): void {
    const subnet = `${PARTITIONS.subnetBase}.0/24`;
    const dice = `numgen random mod 100 < ${percent} counter drop`;
    this.faultTable(node, [
      direction === 'in' ? '' : `ip daddr ${subnet} ${dice}`,
      direction === 'out' ? '' : `ip saddr ${subnet} ${dice}`,
    ]);
  }

  /**
   * One table per node holding its fault: rules starting with `ip daddr` go in the output hook,
   * the others in the input hook. Replaces whatever fault the node had.
   */
  private faultTable(node: string, rules: string[]): void {
    this.clearFault(node);
    const output = rules.filter((r) => r.startsWith('ip daddr'));
    const input = rules.filter((r) => r && !r.startsWith('ip daddr'));
    const script = [
      `table inet ${FAULT_TABLE} {`,
      `  chain output { type filter hook output priority 0; policy accept;`,
      ...output.map((r) => `    ${r}`),
      `  }`,
      `  chain input { type filter hook input priority 0; policy accept;`,
      ...input.map((r) => `    ${r}`),
      `  }`,
      `}`,
    ].join('\n');
    run('ip', ['netns', 'exec', this.namespace(node), 'nft', '-f', '-'], script);
    const listed = run('ip', [
      'netns',
      'exec',
      this.namespace(node),
      'nft',
      'list',
      'table',
      'inet',
      FAULT_TABLE,
    ]);
    const drops = (listed.match(/drop/g) ?? []).length;
    if (drops !== output.length + input.length) {
      throw new Error(
        `${node}'s fault table holds ${drops} rules, not ${output.length + input.length}`,
      );
    }
  }

  /** Removes the node's nftables fault, if it has one. */
  clearFault(node: string): void {
    const ns = this.namespace(node);
    const tables = run('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables']);
    if (tables.includes(FAULT_TABLE)) {
      run('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', FAULT_TABLE]);
    }
  }

  /** What the node's fault rules dropped so far (0 when it has none): proof that a fault acted. */
  dropped(node: string): number {
    const ns = this.namespace(node);
    const tables = run('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables']);
    if (!tables.includes(FAULT_TABLE)) return 0;
    const listed = run('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'inet', FAULT_TABLE]);
    return [...listed.matchAll(/packets (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  /** Everything the node sends limited to `kbit` kbit/s (tc tbf on its eth0). */
  throttle(node: string, kbit: number): void {
    const ns = this.namespace(node);
    run('tc', [
      '-n',
      ns,
      'qdisc',
      'replace',
      'dev',
      'eth0',
      'root',
      'tbf',
      'rate',
      `${kbit}kbit`,
      'burst',
      '32kbit',
      'latency',
      '400ms',
    ]);
    const shown = run('tc', ['-n', ns, 'qdisc', 'show', 'dev', 'eth0']);
    if (!shown.includes('tbf')) throw new Error(`${node} is not throttled: ${shown.trim()}`);
  }

  unthrottle(node: string): void {
    const ns = this.namespace(node);
    const shown = run('tc', ['-n', ns, 'qdisc', 'show', 'dev', 'eth0']);
    if (shown.includes('tbf')) run('tc', ['-n', ns, 'qdisc', 'del', 'dev', 'eth0', 'root']);
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  private ourLinks(): string[] {
    const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
    return [...links.matchAll(/^\d+: ([^:@]+)[:@]/gm)]
      .map((match) => match[1])
      .filter((name) => name === this.bridge || name.startsWith(`${this.prefix.slice(0, 6)}v-`));
  }

  /**
   * Undoes everything of ours, whatever state a run left: every process in our namespaces killed,
   * the namespaces (and their veths, nft tables and qdiscs with them), the bridge, the blackhole
   * route. Never throws; answers what it could not remove.
   */
  down(): string[] {
    const left: string[] = [];
    const ours = run('ip', ['netns', 'list'])
      .split('\n')
      .map((line) => line.split(' ')[0])
      .filter((name) => name.startsWith(`${this.prefix}-`));
    for (const ns of ours) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean);
      for (const pid of pids) attempt('kill', ['-KILL', pid]);
      if (!attempt('ip', ['netns', 'del', ns])) left.push(`namespace ${ns}`);
    }
    // A namespace's veth goes when the kernel frees the namespace, a moment after `ip netns del`:
    // one that deleting raced with is gone when looked at again (bounded: 5 s).
    for (let round = 0; round < 20 && this.ourLinks().length > 0; round++) {
      for (const name of this.ourLinks()) attempt('ip', ['link', 'del', name]);
      spawnSync('sleep', ['0.25']);
    }
    left.push(...this.ourLinks().map((name) => `link ${name}`));
    const routes = spawnSync('ip', ['route', 'show'], { encoding: 'utf8' }).stdout;
    if (routes.includes(`blackhole ${PARTITIONS.subnetBase}.0/24`)) {
      const subnet = `${PARTITIONS.subnetBase}.0/24`;
      if (!attempt('ip', ['route', 'del', 'blackhole', subnet, 'metric', '4000'])) {
        left.push('blackhole route');
      }
    }
    this.nodes.clear();
    this.extra.clear();
    return left;
  }
}
