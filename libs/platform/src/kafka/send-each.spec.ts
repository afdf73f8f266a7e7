import { refusalOf, sendEach } from './send-each';

/** A kafkajs-like refusal: the broker's error type, wrapped as kafkajs' retrier wraps it. */
function refused(type: string): Error {
  const cause = Object.assign(new Error(`broker says ${type}`), { type });
  return Object.assign(new Error('retries exceeded'), { cause });
}

describe('sendEach', () => {
  const sizes: Record<string, number> = { a: 10, b: 10, big: 10_000, c: 10, d: 10 };
  const bytesOf = (item: string) => sizes[item] ?? 10;

  it('refuses an item too large before sending anything, and sends the others in one request', async () => {
    const requests: string[][] = [];
    const result = await sendEach(['a', 'big', 'b'], {
      bytesOf,
      maxBytes: 100,
      send: (items) => {
        requests.push(items);
        return Promise.resolve();
      },
    });
    expect(requests).toEqual([['a', 'b']]);
    expect(result.sent).toEqual(['a', 'b']);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]).toMatchObject({ item: 'big' });
    expect(result.refused[0].reason).toMatch(/too large/);
  });

  it('keeps each request within the byte limit, in order', async () => {
    const requests: string[][] = [];
    await sendEach(['a', 'b', 'c', 'd'], {
      bytesOf,
      maxBytes: 25,
      send: (items) => {
        requests.push(items);
        return Promise.resolve();
      },
    });
    expect(requests).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('after a refused request, sends item by item and sets aside only the one the broker refuses', async () => {
    const requests: string[][] = [];
    const result = await sendEach(['a', 'b', 'c'], {
      bytesOf,
      send: (items) => {
        requests.push(items);
        return items.includes('b')
          ? Promise.reject(refused('MESSAGE_TOO_LARGE'))
          : Promise.resolve();
      },
    });
    expect(requests).toEqual([['a', 'b', 'c'], ['a'], ['b'], ['c']]);
    expect(result.sent).toEqual(['a', 'c']);
    expect(result.refused.map((r) => r.item)).toEqual(['b']);
    expect(result.refused[0].reason).toMatch(/MESSAGE_TOO_LARGE/);
    expect(result.failed).toBeUndefined();
  });

  it('stops at a failure of the broker itself and leaves the rest, in order, for later', async () => {
    const down = new Error('Connection error: ECONNREFUSED');
    const result = await sendEach(['a', 'b', 'c', 'd'], {
      bytesOf,
      maxBytes: 25,
      send: (items) => (items.includes('c') ? Promise.reject(down) : Promise.resolve()),
    });
    expect(result.sent).toEqual(['a', 'b']);
    expect(result.refused).toEqual([]);
    expect(result.failed).toEqual({ error: down, unsent: ['c', 'd'] });
  });
});

describe('refusalOf', () => {
  it('names the broker’s reason for a message it will never take', () => {
    expect(refusalOf(refused('RECORD_LIST_TOO_LARGE'))).toMatch(/RECORD_LIST_TOO_LARGE/);
  });

  it('answers undefined for outages and timeouts, which a later attempt may overcome', () => {
    expect(refusalOf(refused('LEADER_NOT_AVAILABLE'))).toBeUndefined();
    expect(
      refusalOf(new Error('Kafka acknowledgement did not finish within 5000 ms')),
    ).toBeUndefined();
  });
});
