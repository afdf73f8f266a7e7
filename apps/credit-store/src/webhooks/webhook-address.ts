import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Where a webhook may not go: this machine, private networks, link-local (cloud metadata)... */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 one. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** A loopback, private, link-local, CGNAT, unspecified or multicast address. */
export function isBlockedAddress(address: string): boolean {
  const plain = unmapped(address);
  const family = isIP(plain);
  if (family === 0) return true;
  return BLOCKED.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Why a host may not be reached, or undefined when it may. */
export type HostVerdict = { ok: true; address: ResolvedAddress } | { ok: false; reason: string };

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Resolves a host and judges every address it has (one bad address is enough to refuse: the
 * resolver may hand out another each time); answers the first, which the caller then connects to
 * itself, so a second resolution cannot swap in another address.
 */
export async function resolveHost(
  host: string,
  allowed: ReadonlySet<string>,
): Promise<HostVerdict> {
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
  } else {
    try {
      addresses = await lookupWithin(host, LOOKUP_TIMEOUT_MS);
    } catch (error) {
      return {
        ok: false,
        reason: `${host} does not resolve (${(error as { code?: string }).code})`,
      };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve` };
  const blocked = addresses.find((a) => isBlockedAddress(a.address));
  if (blocked && !allowed.has(host.toLowerCase())) {
    const what = isIP(host) ? `${host} is` : `${host} resolves to ${blocked.address},`;
    return { ok: false, reason: `${what} a loopback, private or link-local address` };
  }
  return { ok: true, address: addresses[0] };
}

/**
 * A resolver that does not answer must not hold an admin's request (or a sender's slot) for the
 * system resolver's own timeouts (seconds per server, per attempt): past this the host counts as
 * not resolving, which creation lets through and sending retries.
 */
const LOOKUP_TIMEOUT_MS = 2_000;

async function lookupWithin(host: string, ms: number): Promise<ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })),
      ms,
    );
  });
  try {
    return (await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      timeout,
    ])) as ResolvedAddress[];
  } finally {
    clearTimeout(timer);
  }
}
