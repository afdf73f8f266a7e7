import type { Request, Response } from 'express';
import { enterRequestContext, requestIdFields } from './request-context';

describe('the request context', () => {
  it('names the request in log fields while it is handled, across awaits, and not outside', async () => {
    const seen: unknown[] = [];
    const handle = async () => {
      seen.push(requestIdFields());
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(requestIdFields());
    };
    let handled: Promise<void> = Promise.resolve();
    enterRequestContext({ id: 'req-9' } as Request & { id: string }, {} as Response, () => {
      handled = handle();
    });
    await handled;
    expect(seen).toEqual([{ reqId: 'req-9' }, { reqId: 'req-9' }]);
    expect(requestIdFields()).toEqual({});
  });
});
