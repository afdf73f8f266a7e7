import { timingSafeEqual } from 'node:crypto';
import { sameSecret } from './same-secret';

// The real comparison, watched: the test checks how it is called.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
const compare = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;

describe('sameSecret', () => {
  beforeEach(() => compare.mockClear());

  it('tells equal from different secrets, whatever their lengths', () => {
    expect(sameSecret('token-0123456789', 'token-0123456789')).toBe(true);
    expect(sameSecret('token-0123456789', 'token-0123456780')).toBe(false);
    expect(sameSecret('short', 'token-0123456789')).toBe(false);
    expect(sameSecret('', 'token-0123456789')).toBe(false);
  });

  it('always compares with timingSafeEqual, on equal lengths, even when the lengths differ', () => {
    sameSecret('x', 'a-much-longer-expected-token');
    expect(compare).toHaveBeenCalledTimes(1);
    const [a, b] = compare.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(b.length);
  });
});
