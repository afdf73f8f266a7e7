import type { Message } from 'kafkajs';
import { MAX_MESSAGE_BYTES } from '@tally/contracts';

/** Per message in a record batch, beyond its key, value and headers (an upper bound). */
const RECORD_FRAMING_BYTES = 40;
const HEADER_FRAMING_BYTES = 10;

type Bytes = string | Buffer | null | undefined;

function byteLength(data: Bytes | Bytes[]): number {
  if (Array.isArray(data)) return data.reduce((sum: number, one) => sum + byteLength(one), 0);
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

/** What a message weighs on the wire, framing included (a slight overestimate). */
export function messageBytes(message: Message): number {
  let bytes = RECORD_FRAMING_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += HEADER_FRAMING_BYTES + byteLength(name) + byteLength(value);
  }
  return bytes;
}

/** Broker errors about the message itself: sending the same bytes again cannot succeed. */
const REFUSED_FOR_WHAT_IT_IS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
]);

/**
 * Why the broker refused a send for what it carries, or undefined when the error is about the
 * broker or the network (down, leader moved, timeout), which a later attempt may overcome.
 * kafkajs wraps the broker's error (in a retry error, ...): its type is looked for down the causes.
 */
export function refusalOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const { type, message, cause } = current as {
      type?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof type === 'string' && REFUSED_FOR_WHAT_IT_IS.has(type)) {
      return `refused by the broker (${type}): ${String(message)}`;
    }
    current = cause;
  }
  return undefined;
}

export interface SendEachOptions<T> {
  bytesOf(item: T): number;
  /** Sends these items in one request; rejects if the broker did not take all of them. */
  send(items: T[]): Promise<void>;
  maxBytes?: number;
}

export interface SendEachResult<T> {
  /** Acknowledged by the broker. */
  sent: T[];
  /** Never to be sent as they are: too large, or refused by the broker for what they are. */
  refused: { item: T; reason: string }[];
  /** A failure that a later attempt may overcome, and the items it left unsent (in order). */
  failed?: { error: Error; unsent: T[] };
}

/**
 * Sends items in order, in requests of at most `maxBytes`, so that no single item can stop the
 * others: one too large for the broker is refused before it is sent; a request the broker refuses
 * for its content is sent again item by item, since the broker does not say which item it was,
 * and the items it refuses alone are set aside. Items of the other partitions of such a request
 * may have been taken the first time: they can go out twice (once more, never in a loop; every
 * consumer here drops repeats by event_id). A failure of the broker itself (down, timeout) stops
 * the run: what follows is left for a later attempt, so that no item overtakes an earlier one.
 */
export async function sendEach<T>(
  items: readonly T[],
  options: SendEachOptions<T>,
): Promise<SendEachResult<T>> {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  const result: SendEachResult<T> = { sent: [], refused: [] };
  const sendable: { item: T; bytes: number }[] = [];
  for (const item of items) {
    const bytes = options.bytesOf(item);
    if (bytes > maxBytes) {
      result.refused.push({
        item,
        reason: `message too large: ${bytes} bytes, a message may have at most ${maxBytes}`,
      });
    } else {
      sendable.push({ item, bytes });
    }
  }
  const chunks = chunksWithin(sendable, maxBytes);
  for (const [index, chunk] of chunks.entries()) {
    const later = () => chunks.slice(index + 1).flat();
    const error = await attempt(options, chunk);
    if (!error) {
      result.sent.push(...chunk);
      continue;
    }
    if (!refusalOf(error)) {
      result.failed = { error, unsent: [...chunk, ...later()] };
      return result;
    }
    for (const [position, item] of chunk.entries()) {
      const alone = chunk.length === 1 ? error : await attempt(options, [item]);
      const refusal = alone && refusalOf(alone);
      if (!alone) result.sent.push(item);
      else if (refusal) result.refused.push({ item, reason: refusal });
      else {
        result.failed = { error: alone, unsent: [...chunk.slice(position), ...later()] };
        return result;
      }
    }
  }
  return result;
}

async function attempt<T>(options: SendEachOptions<T>, items: T[]): Promise<Error | undefined> {
  try {
    await options.send(items);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function chunksWithin<T>(items: { item: T; bytes: number }[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const { item, bytes: size } of items) {
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
