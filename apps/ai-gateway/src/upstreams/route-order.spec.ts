import { orderDeployments } from './route-order';
import type { Upstream } from './upstream-routes';

const deployment = (id: string, priority: number, weight = 1): Upstream => ({
  id,
  provider: 'p',
  api: 'openai',
  baseUrl: 'http://x/v1',
  models: ['*'],
  priority,
  weight,
  timeoutMs: 1000,
});

describe('the order deployments are tried in', () => {
  it('tries lower priorities first, whatever the weights', () => {
    const list = [deployment('late', 2, 100), deployment('first', 0), deployment('next', 1, 50)];
    for (const r of [0, 0.5, 0.99]) {
      expect(orderDeployments(list, () => r).map((d) => d.id)).toEqual(['first', 'next', 'late']);
    }
  });

  it('puts each of equal priority first in proportion to its weight', () => {
    const list = [deployment('a', 0, 3), deployment('b', 0, 1)];
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const firsts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) {
      const order = orderDeployments(list, random).map((d) => d.id);
      expect(order.sort()).toEqual(['a', 'b']);
      firsts[orderDeployments(list, random)[0].id as 'a' | 'b']++;
    }
    expect(firsts.a / 4000).toBeGreaterThan(0.7);
    expect(firsts.a / 4000).toBeLessThan(0.8);
  });
});
