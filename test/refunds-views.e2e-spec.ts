import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

interface Sums {
  calls: number;
  credits: number;
}

describe('usage and finance see refunds', () => {
  const app = useCreditStore();

  it('nets refunds in the usage dashboard and carries refund and void entries in the summary and the CSV', async () => {
    const user = unique('user');
    const from = new Date(Date.now() - 1000).toISOString();
    const grantId = unique('grant');
    await call('POST', `${app.store.url}/accounts/${user}/grants`, {
      body: { event_id: grantId, amount: 100, source: 'gift' },
    });
    const kept = chargeEvent(user, 20);
    const refunded = chargeEvent(user, 30);
    await produceCharges(kept, refunded);
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${refunded.event_id}`)).status).toBe(200),
    );
    const refundId = unique('refund');
    const refund = await call('POST', `${app.store.url}/accounts/${user}/refunds`, {
      body: { event_id: refundId, refund_of: refunded.event_id, amount: 25 },
    });
    expect(refund.status).toBe(201);
    expect(
      (await call('POST', `${app.store.url}/grants/${grantId}/void`, { body: {} })).status,
    ).toBe(200);

    const usage = await call<{
      totals: Sums;
      by_source_model: (Sums & { model: string })[];
      by_day: Sums[];
    }>('GET', `${app.store.url}/accounts/${user}/usage?period=24h`);
    expect(usage.body.totals).toMatchObject({ calls: 2, credits: 25 });
    expect(usage.body.by_source_model).toEqual([
      expect.objectContaining({ source: 'video', model: 'v1', calls: 2, credits: 25 }),
    ]);
    expect(usage.body.by_day.reduce((sum, d) => sum + d.credits, 0)).toBe(25);

    const to = new Date(Date.now() + 1000).toISOString();
    const summary = await call<{ days: { source: string; direction: string; amount: number }[] }>(
      'GET',
      `${app.store.url}/finance/summary?from=${from}&to=${to}`,
    );
    expect(summary.body.days).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'refund', direction: 'income' }),
        expect.objectContaining({ source: 'void', direction: 'expense' }),
      ]),
    );
    const csv = await (
      await fetch(`${app.store.url}/finance/ledger.csv?from=${from}`, {
        headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
      })
    ).text();
    const refundLine = csv.split('\r\n').find((line) => line.includes(refundId))!;
    expect(refundLine).toContain(`,refund,income,25,`);
    expect(refundLine).toContain(`,${refunded.event_id},`);
    expect(csv).toContain(`tally:void:${grantId}`);
  });
});
