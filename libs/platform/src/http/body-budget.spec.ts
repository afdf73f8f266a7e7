import { BodyBudget, byteCount } from './body-budget';

describe('BodyBudget', () => {
  it('lets bodies in up to each address share and the total, and again once given back', () => {
    const budget = new BodyBudget(10, 6);
    expect(budget.take('a', 4)).toBeUndefined();
    expect(budget.take('a', 3)).toBe('address');
    expect(budget.take('b', 5)).toBeUndefined();
    expect(budget.take('c', 2)).toBe('total');
    budget.give('a', 4);
    expect(budget.take('c', 2)).toBeUndefined();
    expect(budget.take('a', 3)).toBeUndefined();
  });

  it('lets in a body larger than a share while nothing else holds it', () => {
    const budget = new BodyBudget(10, 6);
    expect(budget.take('a', 12)).toBeUndefined();
    expect(budget.take('b', 1)).toBe('total');
    budget.give('a', 12);
    expect(budget.take('b', 1)).toBeUndefined();
  });
});

describe('byteCount', () => {
  it.each([
    ['100b', 100],
    ['256kb', 262_144],
    ['2mb', 2_097_152],
  ])('%s is %d bytes', (size, bytes) => expect(byteCount(size)).toBe(bytes));

  it('refuses other forms', () => expect(() => byteCount('2 MB')).toThrow('2 MB'));
});
