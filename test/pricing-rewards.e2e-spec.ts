import { useCreditStore } from './support/apps';
import { scalar } from './support/db';
import { call } from './support/http';
import { unique } from './support/wait';

interface Rule {
  id: number;
  version: number;
  input_per_million: string;
  versions?: Rule[];
  code?: string;
}

describe('price rules (versioned) with quotes; reward rules with idempotent rewards', () => {
  const app = useCreditStore();

  const createRule = async (body: Record<string, unknown>) => {
    const answer = await call<Rule>('POST', `${app.store.url}/admin/price-rules`, { body });
    expect(answer.status).toBe(201);
    return answer.body;
  };
  const quote = (body: Record<string, unknown>) =>
    call<{
      amount: number;
      rule_id: number;
      rule_version: number;
      exact_cost: string;
      code?: string;
    }>('POST', `${app.store.url}/quotes`, { as: 'internal', body });

  it('prices a usage with the most specific rule, and an edit makes a new version', async () => {
    const scene = `chat${Date.now().toString(36)}`;
    await createRule({ scene, mode: 'tokens', input_per_million: 1, output_per_million: 1 });
    const rule = await createRule({
      scene,
      model: 'gpt-x',
      mode: 'tokens',
      input_per_million: '2.5',
      output_per_million: 10,
    });
    const first = await quote({
      scene,
      model: 'gpt-x',
      usage: { input_tokens: 1_000_000, output_tokens: 100_000 },
    });
    expect(first.body).toMatchObject({
      amount: 4,
      exact_cost: '3.5',
      rule_id: rule.id,
      rule_version: 1,
    });

    const edited = await call<Rule>('PATCH', `${app.store.url}/admin/price-rules/${rule.id}`, {
      body: { input_per_million: 5 },
    });
    expect(edited.body).toMatchObject({ id: rule.id, version: 2, input_per_million: '5' });
    const second = await quote({
      scene,
      model: 'gpt-x',
      usage: { input_tokens: 1_000_000, output_tokens: 100_000 },
    });
    expect(second.body).toMatchObject({ amount: 6, rule_version: 2 });
    const history = await call<Rule>('GET', `${app.store.url}/admin/price-rules/${rule.id}`, {
      as: 'internal',
    });
    expect(history.body.versions!.map((v) => [v.version, v.input_per_million])).toEqual([
      [1, '2.5'],
      [2, '5'],
    ]);
    const models = await call<string[]>(
      'GET',
      `${app.store.url}/price-rules/models?scene=${scene}`,
      {
        as: 'internal',
      },
    );
    expect(models.body).toEqual(['gpt-x']);

    expect((await call('DELETE', `${app.store.url}/admin/price-rules/${rule.id}`)).status).toBe(
      200,
    );
    expect((await quote({ scene, model: 'gpt-x', usage: {} })).body.rule_id).not.toBe(rule.id);
    await expect(app.db.query(`UPDATE price_rule_versions SET priority = 1`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('answers 422 no_price_rule when nothing matches', async () => {
    const answer = await quote({ scene: 'nothing-here', usage: { seconds: 1 } });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('no_price_rule');
  });

  it.each([
    ['tokens without prices', { scene: 'chat', mode: 'tokens' }, 'input_per_million'],
    [
      '7 decimal places',
      { scene: 'chat', mode: 'fixed', credits_per_call: '0.1234567' },
      'credits_per_call',
    ],
    [
      'a negative price',
      { scene: 'chat', mode: 'fixed', credits_per_call: -1 },
      'credits_per_call',
    ],
    ['an unknown mode', { scene: 'chat', mode: 'per-word' }, 'mode'],
    ['an uppercase scene', { scene: 'Chat', mode: 'free' }, 'scene'],
  ])('refuses a rule with %s (400) and writes nothing', async (_, body, field) => {
    const before = await scalar(app.db, `SELECT count(*) FROM price_rules`);
    const answer = await call('POST', `${app.store.url}/admin/price-rules`, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(String(answer.body.message)).toContain(field);
    expect(await scalar(app.db, `SELECT count(*) FROM price_rules`)).toBe(before);
  });

  it('refuses a quote whose cached tokens exceed its input tokens', async () => {
    const answer = await quote({ scene: 'chat', usage: { input_tokens: 1, cached_tokens: 2 } });
    expect(answer.status).toBe(400);
  });

  it('lets services read rules and quote, but only the admin write them', async () => {
    const asService = await call('POST', `${app.store.url}/admin/price-rules`, {
      as: 'internal',
      body: { scene: 'chat', mode: 'free' },
    });
    expect(asService.status).toBe(403);
    expect(
      (await call('GET', `${app.store.url}/admin/price-rules`, { as: 'internal' })).status,
    ).toBe(200);
  });

  it('credits a reward once per event_id, even after the rule changes', async () => {
    const source = `like-${Date.now().toString(36)}`;
    const rule = await call<{ id: number }>('POST', `${app.store.url}/admin/reward-rules`, {
      body: { source, name: 'A like on your post', amount: 3 },
    });
    expect(rule.status).toBe(201);
    const dup = await call('POST', `${app.store.url}/admin/reward-rules`, {
      body: { source, name: 'again', amount: 1 },
    });
    expect(dup.status).toBe(409);

    const user = unique('user');
    const event_id = `${source}:post-1:${user}`;
    const reward = () =>
      call<{ amount: number }>('POST', `${app.store.url}/rewards`, {
        as: 'internal',
        body: { event_id, user_id: user, source },
      });
    const answers = await Promise.all([reward(), reward(), reward()]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    await call('PATCH', `${app.store.url}/admin/reward-rules/${rule.body.id}`, {
      body: { amount: 100 },
    });
    expect((await reward()).body.amount).toBe(3);
    expect(
      (
        await call<{ balance: number; total_rewarded: number }>(
          'GET',
          `${app.store.url}/accounts/${user}`,
        )
      ).body,
    ).toMatchObject({ balance: 3, total_rewarded: 3 });

    const other = await call('POST', `${app.store.url}/rewards`, {
      as: 'internal',
      body: { event_id, user_id: unique('user'), source },
    });
    expect(other.status).toBe(409);
    const unknown = await call('POST', `${app.store.url}/rewards`, {
      as: 'internal',
      body: { event_id: unique('e'), user_id: user, source: 'no-such-rule' },
    });
    expect(unknown.status).toBe(404);
  });
});
