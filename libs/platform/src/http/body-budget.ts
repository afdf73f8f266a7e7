/** Why a body was not let in: its client's share is taken, or the whole process's. */
export type BodyRefusal = 'address' | 'total';

/**
 * The bytes of request bodies being read and parsed at once, in all and per client address. A
 * parsed JSON body can take twenty times its size in heap, so this is what keeps a burst of large
 * bodies from exhausting it. A body larger than a share is still let in while nothing else holds
 * that share, so no setting can make the largest allowed body impossible.
 */
export class BodyBudget {
  private used = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly totalBytes: number,
    private readonly perAddressBytes: number,
  ) {}

  /** Takes `bytes` for a body from `address`, or says which share is full. */
  take(address: string, bytes: number): BodyRefusal | undefined {
    const held = this.byAddress.get(address) ?? 0;
    if (held > 0 && held + bytes > this.perAddressBytes) return 'address';
    if (this.used > 0 && this.used + bytes > this.totalBytes) return 'total';
    this.used += bytes;
    this.byAddress.set(address, held + bytes);
    return undefined;
  }

  give(address: string, bytes: number): void {
    this.used -= bytes;
    const held = (this.byAddress.get(address) ?? 0) - bytes;
    if (held > 0) this.byAddress.set(address, held);
    else this.byAddress.delete(address);
  }
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `256kb`, `2mb`, `100b` (the form our settings take) in bytes. */
export function byteCount(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/.exec(size);
  if (!match) throw new Error(`"${size}" is not a size like 256kb or 2mb`);
  return Number(match[1]) * UNITS[match[2]];
}
